{#- Typing raw cells (all VARCHAR as delivered) the way the file rules of
    docs/contract/README.md define a valid cell; anything else becomes NULL. -#}

{#- A code cell: a whole number listed in the codebook for that variable. -#}
{% macro valid_code(cell, codes) -%}
  case when regexp_full_match(trim({{ cell }}), '[0-9]+')
        and try_cast(trim({{ cell }}) as integer) in ({{ codes | join(', ') }})
       then try_cast(trim({{ cell }}) as integer) end
{%- endmacro %}

{#- amount_gbp: a positive, finite number. -#}
{% macro valid_amount(cell) -%}
  case when try_cast(trim({{ cell }}) as double) > 0
        and isfinite(try_cast(trim({{ cell }}) as double))
       then try_cast(trim({{ cell }}) as double) end
{%- endmacro %}

{#- survey_date: a real calendar date written YYYY-MM-DD. -#}
{% macro valid_date(cell) -%}
  case when regexp_full_match(trim({{ cell }}), '[0-9]{4}-[0-9]{2}-[0-9]{2}')
       then try_cast(trim({{ cell }}) as date) end
{%- endmacro %}

{#- Text: trimmed, and an all-blank cell is no answer. -#}
{% macro clean_text(cell) -%}
  nullif(trim({{ cell }}), '')
{%- endmacro %}

{#- One typed column of a survey variable, NULL when landing recorded the cell as invalid
    (`invalid_variables` lists them per row) so staging and raw.invalid_cells agree. -#}
{% macro typed_cell(variable, invalid_list='invalid_variables') -%}
  {%- set name = variable.name -%}
  {%- if variable.type in ('code', 'tick') -%}
    {%- set typed = valid_code(name, variable.codes) -%}
  {%- elif variable.type == 'number' -%}
    {%- set typed = valid_amount(name) -%}
  {%- elif variable.type == 'date' -%}
    {%- set typed = valid_date(name) -%}
  {%- else -%}
    {%- set typed = clean_text(name) -%}
  {%- endif -%}
  case when list_contains(coalesce({{ invalid_list }}, []), '{{ name }}') then null
       else {{ typed }} end
{%- endmacro %}
