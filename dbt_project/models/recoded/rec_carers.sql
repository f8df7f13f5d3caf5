-- Every analysis flag and recode of analysis_plan.md section 1 for carers.
-- Incremental by file version (macros/incremental_by_version.sql).
{{ config(materialized='incremental', incremental_strategy='append',
          pre_hook="{{ delete_recoded_versions_not_staged('stg_carers') }}") }}
select
    {{ rec_common_columns('carers') }}
from {{ rows_not_built('stg_carers') }}
