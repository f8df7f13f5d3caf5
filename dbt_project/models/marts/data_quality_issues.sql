-- Every invalid cell of a consenting row of any landed file version (raw.invalid_cells),
-- with the file's slot and status so a person can find and fix it.
select
    cells.source_path as path,
    cells.source_sha256 as sha256,
    files.wave::integer as wave,
    files.org_code,
    files.survey,
    files.status as file_status,
    cells.respondent_id,
    cells.variable,
    cells.raw_value,
    cells.rule,
    labels.variable_label
from {{ source('raw', 'invalid_cells') }} as cells
left join {{ source('raw', 'file_registry') }} as files
    on files.source_path = cells.source_path and files.source_sha256 = cells.source_sha256
left join {{ ref('variable_labels') }} as labels
    on labels.survey = files.survey and labels.kind = 'codebook' and labels.variable = cells.variable
