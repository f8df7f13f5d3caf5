-- Incremental by file version (macros/incremental_by_version.sql).
{{ config(materialized='incremental', incremental_strategy='append',
          pre_hook="{{ delete_staging_versions_not_used('carers') }}") }}
{{ stg_survey('carers') }}
