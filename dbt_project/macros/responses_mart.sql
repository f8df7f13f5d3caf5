{#- The public responses mart of one survey: identifiers first, then every flag and recode
    of the recoded model, with the organisation's type. No free text reaches it.
    Incremental like the layers it copies (macros/incremental_by_version.sql), keyed by the
    file version and the organisation's type: a version whose organisation changed type
    in organisations.csv is deleted and inserted again with the new type. -#}
{% macro responses_mart(recoded_model) %}
with typed as (
    select
        rec.wave,
        rec.org_code,
        org.org_type,
        rec.respondent_id,
        rec.source_sha256,
        rec.* exclude (wave, org_code, respondent_id, source_sha256)
    from {{ ref(recoded_model) }} as rec
    left join {{ ref('stg_organisations') }} as org using (org_code)
)

select * from typed
{%- if is_incremental() %}
where not exists (
    select 1 from (select distinct wave, org_code, source_sha256, org_type from {{ this }}) as built
    where {{ version_matches('typed', 'built') }}
      and typed.org_type is not distinct from built.org_type
)
{%- endif %}
{% endmacro %}

{#- The (version, organisation type) pairs the mart should hold now. -#}
{% macro current_response_versions(recoded_model) -%}
select distinct rec.wave, rec.org_code, rec.source_sha256, org.org_type
from (select distinct wave, org_code, source_sha256 from {{ ref(recoded_model) }}) as rec
left join {{ ref('stg_organisations') }} as org using (org_code)
{%- endmacro %}

{% macro delete_responses_not_current(recoded_model) -%}
{%- if is_incremental() -%}
delete from {{ this }} as built
where not exists (
    select 1 from ({{ current_response_versions(recoded_model) }}) as current_versions
    where {{ version_matches('current_versions', 'built') }}
      and current_versions.org_type is not distinct from built.org_type
)
{%- else -%}
select 1 -- first build or full refresh: nothing to delete
{%- endif -%}
{%- endmacro %}
