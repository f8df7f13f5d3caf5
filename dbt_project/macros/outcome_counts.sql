{#- Counts behind every outcome percentage (plan 2.1, 2.6): per wave, survey, outcome and
    the extra keys, those with the outcome relevant (codes 1-5 = positive flag not NULL),
    positive (1-2) and negative (4-5); the rest of the base is "no difference" (3). -#}
{% macro outcome_counts(extra_keys=[]) -%}
  {%- set keys = ['wave'] + extra_keys -%}
  {%- for survey, mart in [('holders', 'holder_responses'), ('carers', 'carer_responses')] %}
    {%- for variable, outcome_id in poet_outcomes(survey) %}
    select
        {{ keys | join(', ') }},
        '{{ survey }}' as survey,
        '{{ outcome_id }}' as outcome_id,
        count({{ outcome_id }}_positive)::integer as n_relevant,
        coalesce(sum({{ outcome_id }}_positive), 0)::integer as n_positive,
        coalesce(sum({{ outcome_id }}_negative), 0)::integer as n_negative
    from {{ ref(mart) }}
    group by {{ keys | join(', ') }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- if not loop.last %}
    union all
    {%- endif %}
  {%- endfor %}
{%- endmacro %}
