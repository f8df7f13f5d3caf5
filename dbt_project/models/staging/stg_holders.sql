{{ stg_survey('holders') }}
