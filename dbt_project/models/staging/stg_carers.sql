{{ stg_survey('carers') }}
