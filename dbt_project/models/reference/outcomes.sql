-- Outcome ids of analysis_plan.md 1.1: which codebook variable each outcome comes from,
-- and a readable label: the codebook question without its stem ("What difference has
-- your personal budget made to: ..."), capitalised.
with plan as (
{%- for survey in ['holders', 'carers'] %}
{%- for variable, outcome_id in poet_outcomes(survey) %}
    select '{{ survey }}' as survey, '{{ variable }}' as variable, '{{ outcome_id }}' as outcome_id,
           {{ loop.index }} as outcome_order
    {% if not loop.last %}union all{% endif %}
{%- endfor %}
{% if not loop.last %}union all{% endif %}
{%- endfor %}
),

questions as (
    select 'holders' as survey, trim(variable) as variable, question from {{ ref('codebook_holders') }}
    union all
    select 'carers', trim(variable), question from {{ ref('codebook_carers') }}
),

stripped as (
    select
        plan.*,
        trim(regexp_replace(trim(questions.question), '^(What difference has .* made to:|\.\.\.)', '')) as text
    from plan
    left join questions using (survey, variable)
)

select
    survey,
    variable,
    outcome_id,
    outcome_order,
    upper(left(text, 1)) || substr(text, 2) as outcome_label
from stripped
