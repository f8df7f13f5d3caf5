{#- The public responses mart of one survey: identifiers first, then every flag and recode
    of the recoded model, with the organisation's type. No free text reaches it. -#}
{% macro responses_mart(recoded_model) %}
select
    rec.wave,
    rec.org_code,
    org.org_type,
    rec.respondent_id,
    rec.source_sha256,
    rec.* exclude (wave, org_code, respondent_id, source_sha256)
from {{ ref(recoded_model) }} as rec
left join {{ ref('stg_organisations') }} as org using (org_code)
{% endmacro %}
