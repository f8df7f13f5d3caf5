-- One row per used holder respondent: every flag and recode of the plan, the nine process
-- item codes (1-5) and the organisation's type.
{{ config(materialized='incremental', incremental_strategy='append',
          pre_hook="{{ delete_responses_not_current('rec_holders') }}") }}
{{ responses_mart('rec_holders') }}
