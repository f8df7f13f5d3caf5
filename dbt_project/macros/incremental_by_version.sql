{#- The respondent-level models (stg_*, rec_*) are incremental by file version (issue 11,
    docs/refresh.md "One changed return"). A file version is its slot and sha256
    (docs/landing.md); its rows are a function of its bytes and of the project's code, so
    a model only has to:
      1. delete the rows of versions that are no longer used (superseded, quarantined, or
         used no more after organisations.csv changed) - the pre-hook;
      2. insert the rows of used versions it does not hold yet - the model's filter.
    Both compare states, not events: whatever happened since the last build, the model
    ends with exactly the rows of the used versions. A code change is not a state dbt can
    see: the dbt step then runs `dbt build --full-refresh` (transform/build_state.py). -#}

{#- Staging: versions are identified by (source_path, source_sha256), the registry's own
    columns (the path names the slot: <wave>/<org_code>/<survey>.<ext>). -#}
{% macro used_versions_sql(survey) -%}
select source_path, source_sha256
from {{ source('raw', 'file_registry') }}
where status = 'used' and survey = '{{ survey }}'
{%- endmacro %}

{% macro delete_staging_versions_not_used(survey) -%}
{%- if is_incremental() -%}
delete from {{ this }} as built
where not exists (
    select 1 from ({{ used_versions_sql(survey) }}) as used_now
    where used_now.source_path = built.source_path
      and used_now.source_sha256 = built.source_sha256
)
{%- else -%}
select 1 -- first build or full refresh: nothing to delete
{%- endif -%}
{%- endmacro %}

{#- A condition on the registry (alias `files`): the version is not built yet. -#}
{% macro staging_version_not_built(files) -%}
{%- if is_incremental() %}
    and not exists (
        select 1 from (select distinct source_path, source_sha256 from {{ this }}) as built
        where built.source_path = {{ files }}.source_path
          and built.source_sha256 = {{ files }}.source_sha256
    )
{%- endif -%}
{%- endmacro %}

{#- Recoded: one row per staging row, identified by (wave, org_code, source_sha256), which
    recoded carries from staging unchanged. -#}
{% macro version_matches(a, b) -%}
{{ a }}.wave is not distinct from {{ b }}.wave
      and {{ a }}.org_code is not distinct from {{ b }}.org_code
      and {{ a }}.source_sha256 is not distinct from {{ b }}.source_sha256
{%- endmacro %}

{% macro delete_recoded_versions_not_staged(staging_model) -%}
{%- if is_incremental() -%}
delete from {{ this }} as built
where not exists (
    select 1 from (select distinct wave, org_code, source_sha256 from {{ ref(staging_model) }}) as staged
    where {{ version_matches('staged', 'built') }}
)
{%- else -%}
select 1 -- first build or full refresh: nothing to delete
{%- endif -%}
{%- endmacro %}

{#- The rows of `model` (staging) whose version this model does not hold yet: all of them
    on a first build or a full refresh. `survey` names the survey of `model` for a model
    of both surveys (rec_answer_counts), whose versions carry it. -#}
{% macro rows_not_built(model, survey=none) -%}
{%- if is_incremental() -%}
(select * from {{ ref(model) }} as staged
 where not exists (
     select 1 from (select distinct {% if survey %}survey, {% endif %}wave, org_code, source_sha256 from {{ this }}) as built
     where {% if survey %}built.survey = '{{ survey }}' and {% endif %}{{ version_matches('staged', 'built') }}
 )) as staged
{%- else -%}
{{ ref(model) }}
{%- endif -%}
{%- endmacro %}

{#- The models of both surveys (comments, rec_answer_counts): incremental by file version
    too, identified by (wave, survey, org_code, source_sha256); a version without a row
    (no comment, no answer) is looked for again at each build and still adds nothing. -#}
{% macro staged_survey_versions() -%}
select distinct wave, 'holders' as survey, org_code, source_sha256 from {{ ref('stg_holders') }}
union all
select distinct wave, 'carers' as survey, org_code, source_sha256 from {{ ref('stg_carers') }}
{%- endmacro %}

{% macro survey_version_matches(a, b) -%}
{{ version_matches(a, b) }}
      and {{ a }}.survey = {{ b }}.survey
{%- endmacro %}

{% macro delete_survey_versions_not_staged() -%}
{%- if is_incremental() -%}
delete from {{ this }} as built
where not exists (
    select 1 from ({{ staged_survey_versions() }}) as staged
    where {{ survey_version_matches('staged', 'built') }}
)
{%- else -%}
select 1 -- first build or full refresh: nothing to delete
{%- endif -%}
{%- endmacro %}
