{#- Typing raw cells (all VARCHAR) the way the file rules of docs/contract/README.md define
    a valid cell, with the same cleaning as landing (dagster_project/landing/rules.py):
    blanks are spaces, tabs, line breaks and the no-break space; a code may be written
    `1.0`; an amount is a plain positive decimal. Anything else becomes NULL. -#}

{% macro clean_cell(cell) -%}
  nullif(trim({{ cell }}, ' ' || chr(9) || chr(10) || chr(13) || chr(160)), '')
{%- endmacro %}

{#- A code cell: a whole number (`1` or `1.0`) listed in the codebook for that variable. -#}
{% macro valid_code(cell, codes) -%}
  case when regexp_full_match({{ clean_cell(cell) }}, '[0-9]+(\.0*)?')
        and try_cast(split_part({{ clean_cell(cell) }}, '.', 1) as integer) in ({{ codes | join(', ') }})
       then try_cast(split_part({{ clean_cell(cell) }}, '.', 1) as integer) end
{%- endmacro %}

{#- amount_gbp: a plain decimal number above zero. -#}
{% macro valid_amount(cell) -%}
  case when regexp_full_match({{ clean_cell(cell) }}, '[0-9]+(\.[0-9]*)?|\.[0-9]+')
        and try_cast({{ clean_cell(cell) }} as double) > 0
       then try_cast({{ clean_cell(cell) }} as double) end
{%- endmacro %}

{#- survey_date: a real calendar date written YYYY-MM-DD. -#}
{% macro valid_date(cell) -%}
  case when regexp_full_match({{ clean_cell(cell) }}, '[0-9]{4}-[0-9]{2}-[0-9]{2}')
       then try_cast({{ clean_cell(cell) }} as date) end
{%- endmacro %}

{#- Text: cleaned like every cell, so an all-blank answer is no answer. -#}
{% macro clean_text(cell) -%}
  {{ clean_cell(cell) }}
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
