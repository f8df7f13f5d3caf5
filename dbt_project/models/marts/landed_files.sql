-- Every landed file version (slot and sha256) and what became of it, from raw.file_registry.
select
    source_path as path,
    source_sha256 as sha256,
    wave::integer as wave,
    org_code,
    survey,
    file_format,
    landed_at,
    status,
    reason,
    rows::integer as rows,
    rows_used::integer as rows_used,
    rows_without_consent::integer as rows_without_consent,
    invalid_cells::integer as invalid_cells
from {{ source('raw', 'file_registry') }}
