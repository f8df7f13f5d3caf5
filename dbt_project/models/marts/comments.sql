-- Plan 3: one row per non-blank comment of a used respondent, redacted in staging. This is
-- the only mart that holds free text, and only its redacted form.
-- Incremental by file version (macros/incremental_by_version.sql): a build adds the
-- comments of versions it does not hold yet, its pre-hook deletes those of versions no
-- longer staged.
{{ config(materialized='incremental', incremental_strategy='append',
          pre_hook="{{ delete_survey_versions_not_staged() }}") }}
{%- set questions = ['worked_well', 'not_worked', 'change'] %}
with new_comments as (
{%- for survey, stg in [('holders', 'stg_holders'), ('carers', 'stg_carers')] %}
{%- for question in questions %}
    select
        wave,
        '{{ survey }}' as survey,
        org_code,
        respondent_id,
        '{{ question }}' as question,
        comment_{{ question }}_redacted as comment_redacted,
        source_sha256
    from {{ ref(stg) }}
    where comment_{{ question }}_redacted is not null
    {% if not loop.last %}union all{% endif %}
{%- endfor %}
    {% if not loop.last %}union all{% endif %}
{%- endfor %}
)

select * from new_comments
{%- if is_incremental() %}
where not exists (
    select 1 from (select distinct wave, survey, org_code, source_sha256 from {{ this }}) as built
    where {{ survey_version_matches('new_comments', 'built') }}
)
{%- endif %}
