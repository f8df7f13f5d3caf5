-- The response marts carry every factor of the plan: 33 holder and 23 carer factor_ids
-- (analysis_plan.md 1.2, 1.3), each as a column of the same name.
-- Several parents: dagster-dbt attaches the test, as an asset check, to the model named here.
{{ config(meta={'dagster': {'ref': {'name': 'holder_responses'}}}) }}
{%- set expected = {'holders': 33, 'carers': 23} %}
{%- set marts = {'holders': ref('holder_responses'), 'carers': ref('carer_responses')} %}
with expected as (
    {%- for survey, count in expected.items() %}
    {%- for factor_id in poet_factor_ids(survey) %}
    select '{{ survey }}' as survey, '{{ factor_id }}' as factor_id, {{ poet_factor_ids(survey) | length }} as defined, {{ count }} as planned
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

columns as (
    {%- for survey, relation in marts.items() %}
    select '{{ survey }}' as survey, column_name
    from information_schema.columns
    where table_schema = '{{ relation.schema }}' and table_name = '{{ relation.identifier }}'
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select expected.*
from expected
left join columns on columns.survey = expected.survey and columns.column_name = expected.factor_id
where columns.column_name is null or expected.defined <> expected.planned
