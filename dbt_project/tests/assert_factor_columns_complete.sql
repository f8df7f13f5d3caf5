-- The response marts carry every factor of the plan: 33 holder and 23 carer factor_ids
-- (analysis_plan.md 1.2, 1.3), each with a column of the same name.
with expected as (
    select 'holders' as survey, 33 as factors union all select 'carers', 23
),

defined as (
    select survey, count(*) as factors from {{ ref('factor_definitions') }} group by survey
),

columns as (
    select case table_name when 'holder_responses' then 'holders' else 'carers' end as survey,
           column_name
    from information_schema.columns
    where table_schema = '{{ ref('holder_responses').schema }}'
      and table_name in ('holder_responses', 'carer_responses')
),

missing as (
    select f.survey, f.factor_id
    from {{ ref('factor_definitions') }} as f
    left join columns as c on c.survey = f.survey and c.column_name = f.factor_id
    where c.column_name is null
)

select expected.survey, expected.factors as expected, defined.factors as defined, null as missing_factor
from expected left join defined using (survey)
where defined.factors is distinct from expected.factors
union all
select survey, null, null, factor_id from missing
