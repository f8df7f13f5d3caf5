-- Plan 3: one row per non-blank comment of a used respondent, redacted in staging. This is
-- the only mart that holds free text, and only its redacted form.
{%- set questions = ['worked_well', 'not_worked', 'change'] %}
{%- for survey, stg in [('holders', 'stg_holders'), ('carers', 'stg_carers')] %}
{%- for question in questions %}
select
    wave,
    '{{ survey }}' as survey,
    org_code,
    respondent_id,
    '{{ question }}' as question,
    comment_{{ question }}_redacted as comment_redacted
from {{ ref(stg) }}
where comment_{{ question }}_redacted is not null
{% if not loop.last %}union all{% endif %}
{%- endfor %}
{% if not loop.last %}union all{% endif %}
{%- endfor %}
