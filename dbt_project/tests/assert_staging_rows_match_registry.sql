-- Nothing is dropped silently: staging holds exactly the rows_used that landing counted for
-- each used file (consenting rows). A difference means landing and staging disagree on
-- consent or on which files are used.
-- Several parents: dagster-dbt attaches the test, as an asset check, to the model named here.
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'stg_holders'}}}) }}
with staged as (
    select source_sha256, count(*) as staged_rows from {{ ref('stg_holders') }} group by all
    union all
    select source_sha256, count(*) from {{ ref('stg_carers') }} group by all
)

select files.source_path, files.rows_used, coalesce(staged.staged_rows, 0) as staged_rows
from {{ source('raw', 'file_registry') }} as files
left join staged using (source_sha256)
where files.status = 'used' and files.rows_used <> coalesce(staged.staged_rows, 0)
