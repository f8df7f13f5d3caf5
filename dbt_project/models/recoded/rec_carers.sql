-- Every analysis flag and recode of analysis_plan.md section 1 for carers.
select
    {{ rec_common_columns('carers') }}
from {{ ref('stg_carers') }}
