-- One row per used carer respondent: every flag and recode of the plan and the
-- organisation's type.
{{ config(materialized='incremental', incremental_strategy='append',
          pre_hook="{{ delete_responses_not_current('rec_carers') }}") }}
{{ responses_mart('rec_carers') }}
