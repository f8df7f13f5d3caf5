{#- Recodes of analysis_plan.md section 1, written once and used by rec_holders and
    rec_carers. Inputs are staging columns: valid INTEGER codes or NULL. -#}

{#- 1 for a code in `ones`, 0 for a code in `zeros`, else NULL (8, 9, 99, blank...). -#}
{% macro code_flag(column, ones, zeros) -%}
  case when {{ column }} in ({{ ones | join(', ') }}) then 1
       when {{ column }} in ({{ zeros | join(', ') }}) then 0 end
{%- endmacro %}

{#- `<outcome_id>_positive` and `_negative` for every outcome of a survey (plan 1.1). -#}
{% macro outcome_flag_columns(survey) -%}
  {%- set codes = outcome_codes() -%}
  {%- for variable, outcome_id in poet_outcomes(survey) %}
    {{ code_flag(variable, codes.positive, codes.not_positive) }} as {{ outcome_id }}_positive,
    {{ code_flag(variable, codes.negative, codes.not_negative) }} as {{ outcome_id }}_negative
    {%- if not loop.last %},{% endif %}
  {%- endfor %}
{%- endmacro %}

{#- Every factor coded from one code variable (plan 1.2, 1.3). -#}
{% macro code_factor_columns(survey) -%}
  {%- for factor_id, variable, ones, zeros in poet_code_factors(survey) %}
    {{ code_flag(variable, ones, zeros) }} as {{ factor_id }}
    {%- if not loop.last %},{% endif %}
  {%- endfor %}
{%- endmacro %}

{#- Multi-select flags (plan 1.2 with the file rules): an item absent from the file is
    not asked (NULL); when every item of the question present in the file is blank the
    question is unanswered (all NULL); otherwise blank counts as not ticked (0).
    Staging carries `asked_<variable>` for every tick item. -#}
{% macro tick_question_columns(items) -%}
  {%- set any_answered -%}
    ({% for factor_id, variable in items %}({{ variable }} is not null and asked_{{ variable }}){% if not loop.last %} or {% endif %}{% endfor %})
  {%- endset -%}
  {%- for factor_id, variable in items %}
    case when not asked_{{ variable }} then null
         when {{ any_answered }} then coalesce({{ variable }}, 0) end as {{ factor_id }}
    {%- if not loop.last %},{% endif %}
  {%- endfor %}
{%- endmacro %}

{#- process_made_easy (plan 1.2): mean of the items coded 1-5 (8, blank, absent left
    out); NULL under three such items; 1 when the mean is below 2.5, else 0. -#}
{% macro process_made_easy(items) -%}
  {%- set rule = process_made_easy_rule() -%}
  {%- set answered -%}
    list_filter([{{ items | join(', ') }}], lambda x: x between 1 and 5)
  {%- endset -%}
  case when len({{ answered }}) < {{ rule.min_items }} then null
       when list_avg({{ answered }}) < {{ rule.easy_below_mean }} then 1
       else 0 end
{%- endmacro %}

{#- knows_budget_amount (plan 1.2): 1 for a valid amount whatever the period, 0 for no
    valid amount, NULL only when the file has no amount_gbp column. -#}
{% macro knows_budget_amount(amount, asked) -%}
  case when not {{ asked }} then null when {{ amount }} is not null then 1 else 0 end
{%- endmacro %}

{#- weekly_amount_gbp (plan 1.4): the amount per week, NULL for a one-off payment or an
    unknown period. -#}
{% macro weekly_amount(amount, period) -%}
  case {{ period }}
  {%- for code, expression in amount_period_weekly().items() %}
    when {{ code }} then {{ expression | replace('x', amount) }}
  {%- endfor %}
  end
{%- endmacro %}

{% macro one_off_amount(amount, period) -%}
  case when {{ period }} = {{ one_off_amount_period() }} then {{ amount }} end
{%- endmacro %}

{#- Amount bands (plan 1.4), on the unrounded amount. -#}
{% macro amount_band(amount) -%}
  case
  {%- for band, lower, upper in amount_bands() %}
    when {{ amount }} > {{ lower }}{% if upper is not none %} and {{ amount }} <= {{ upper }}{% endif %} then '{{ band }}'
  {%- endfor %}
  end
{%- endmacro %}

{#- A code collapsed to a label: mapping of label -> codes; other codes NULL. -#}
{% macro code_label(column, mapping) -%}
  case
  {%- for label, codes in mapping %}
    when {{ column }} in ({{ codes | join(', ') }}) then '{{ label }}'
  {%- endfor %}
  end
{%- endmacro %}
