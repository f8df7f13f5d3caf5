-- One row per used carer respondent: every flag and recode of the plan and the
-- organisation's type.
{{ responses_mart('rec_carers') }}
