-- Plan 2.1's counts per file version, which marts.distributions adds up: how many staged
-- respondents of each version gave each code of every code and tick variable (consent
-- aside). Codes 8 and 9 are answers and count. A tick item is answered when any item of
-- its question is ticked, and then blank counts as 0; an item absent from a file is not
-- asked there. Codes nobody gave have no row.
-- Incremental by file version (macros/incremental_by_version.sql): a changed return is
-- counted alone, not every respondent again.
{{ config(materialized='incremental', incremental_strategy='append',
          pre_hook="{{ delete_survey_versions_not_staged() }}") }}
{%- set surveys = [('holders', 'stg_holders'), ('carers', 'stg_carers')] %}
with
{%- for survey, stg in surveys %}
staged_{{ survey }} as {{ 'materialized' if is_incremental() else 'not materialized' }} (
    select * from {{ rows_not_built(stg, survey) }}
),
{%- endfor %}

answers as (
{%- set selects = [] %}
{%- for survey, stg in surveys %}
  {%- set version = "wave, '" ~ survey ~ "' as survey, org_code, source_sha256, " %}
  {%- for v in codebook_variables_of_type(survey, ['code']) if v.name != 'consent' %}
    {%- do selects.append("select " ~ version ~ "'" ~ v.name ~ "' as variable, " ~ v.name
                          ~ " as code from staged_" ~ survey ~ " where " ~ v.name ~ " is not null") %}
  {%- endfor %}
  {%- for question, items in poet_tick_questions(survey).items() %}
    {%- set any_ticked %}({% for f, item in items %}coalesce({{ item }} = 1 and asked_{{ item }}, false){% if not loop.last %} or {% endif %}{% endfor %}){% endset %}
    {%- for f, item in items %}
      {%- do selects.append("select " ~ version ~ "'" ~ item ~ "' as variable, coalesce(" ~ item
                            ~ ", 0) as code from staged_" ~ survey ~ " where asked_" ~ item ~ " and " ~ any_ticked) %}
    {%- endfor %}
  {%- endfor %}
{%- endfor %}
    {{ selects | join('\n    union all\n    ') }}
)

select wave, survey, org_code, source_sha256, variable, code, count(*)::integer as n
from answers
group by all
