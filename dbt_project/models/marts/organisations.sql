-- Every data line of the organisations.csv in use (raw.organisations) and what became of it:
-- listed (the organisation is used), repeat (same details as an earlier line) or left_out,
-- with a note a person can act on. Blank lines are not rows.
select
    source_line::integer as line,
    org_code,
    org_name,
    lower(org_type) as org_type,
    region,
    coalesce(status, 'listed') as status,
    note,
    source_sha256 as sha256,
    landed_at
from {{ source('raw', 'organisations') }}
