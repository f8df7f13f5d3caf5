-- The organisations of the latest organisations.csv, text trimmed.
select
    trim(org_code) as org_code,
    trim(org_name) as org_name,
    lower(trim(org_type)) as org_type,
    trim(region) as region,
    source_sha256
from {{ source('raw', 'organisations') }}
where nullif(trim(org_code), '') is not null
