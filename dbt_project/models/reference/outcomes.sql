-- Outcome ids of analysis_plan.md 1.1: which codebook variable each outcome comes from.
{%- for survey in ['holders', 'carers'] %}
{%- for variable, outcome_id in poet_outcomes(survey) %}
select '{{ survey }}' as survey, '{{ variable }}' as variable, '{{ outcome_id }}' as outcome_id,
       {{ loop.index }} as outcome_order
{% if not loop.last %}union all{% endif %}
{%- endfor %}
{% if not loop.last %}union all{% endif %}
{%- endfor %}
