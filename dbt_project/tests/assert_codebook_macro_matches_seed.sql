-- The compile-time codebook (macros/codebook_variables.sql) must say exactly what the
-- codebook seeds say: every variable with its type and codes. Any row returned differs.
-- Several parents: dagster-dbt attaches the test, as an asset check, to the model named here.
{{ config(meta={'dagster': {'ref': {'name': 'codebook_holders'}}}) }}
{%- set rows = [] %}
{%- for survey in ['holders', 'carers'] %}
  {%- for v in codebook_variables(survey) %}
    {%- do rows.append("select '" ~ survey ~ "' as survey, '" ~ v.name ~ "' as variable, '" ~ v.type
                       ~ "' as variable_type, '" ~ (v.codes | join(',')) ~ "' as codes") %}
  {%- endfor %}
{%- endfor %}
with from_macro as (
    {{ rows | join('\n    union all\n    ') }}
),

from_seed as (
    {%- for survey in ['holders', 'carers'] %}
    select '{{ survey }}' as survey, trim(variable) as variable, trim(type) as variable_type,
           coalesce((select string_agg(trim(split_part(c, '=', 1)), ',')
                     from unnest(string_split(codes, ';')) as t(c) where trim(c) <> ''), '') as codes
    from {{ ref('codebook_' ~ survey) }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

(select *, 'only in macro' as problem from from_macro except select *, 'only in macro' from from_seed)
union all
(select *, 'only in seed' as problem from from_seed except select *, 'only in seed' from from_macro)
