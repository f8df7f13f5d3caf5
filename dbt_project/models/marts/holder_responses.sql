-- One row per used holder respondent: every flag and recode of the plan, the nine process
-- item codes (1-5) and the organisation's type. No free text reaches this mart.
select
    rec.wave,
    rec.org_code,
    org.org_type,
    rec.respondent_id,
    rec.source_sha256,
    rec.* exclude (wave, org_code, respondent_id, source_sha256)
from {{ ref('rec_holders') }} as rec
left join {{ ref('stg_organisations') }} as org using (org_code)
