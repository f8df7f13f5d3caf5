-- One row per used holder respondent: every flag and recode of the plan, the nine process
-- item codes (1-5) and the organisation's type.
{{ responses_mart('rec_holders') }}
