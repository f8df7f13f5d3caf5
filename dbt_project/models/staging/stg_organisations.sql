-- The organisations listed by the latest usable organisations.csv (lines left out or
-- repeated are not: landing decided, docs/landing.md), cells cleaned like every raw cell.
select
    {{ clean_cell('org_code') }} as org_code,
    {{ clean_cell('org_name') }} as org_name,
    lower({{ clean_cell('org_type') }}) as org_type,
    {{ clean_cell('region') }} as region,
    source_sha256
from {{ source('raw', 'organisations') }}
where {{ clean_cell('org_code') }} is not null
    and coalesce(status, 'listed') = 'listed'
