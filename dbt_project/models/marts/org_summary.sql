-- Plan 2.6 (last paragraph) with disclosure control: per organisation with a used return,
-- the rows of the used version, the respondents used, and for process_made_easy and each
-- views flag its base (`<flag>_n`) and share with 1 (`<flag>_pct`). A share whose base is
-- under the minimum has both NULL; a flag the survey does not have is NULL too.
{%- set min_base = var('disclosure_min_base') %}
{%- set responses = {'holders': ref('holder_responses'), 'carers': ref('carer_responses')} %}
{%- set factor_ids = {'holders': poet_factor_ids('holders'), 'carers': poet_factor_ids('carers')} %}
with used_returns as (
    select wave, survey, org_code, rows as rows_landed
    from {{ source('raw', 'file_registry') }}
    where status = 'used'
),

shares as (
{%- for survey in ['holders', 'carers'] %}
    select
        wave,
        '{{ survey }}' as survey,
        org_code,
        count(*)::integer as respondents_used,
        {%- for flag in org_summary_flags() %}
        {%- if flag in factor_ids[survey] %}
        count({{ flag }})::integer as {{ flag }}_base,
        avg({{ flag }}) * 100.0 as {{ flag }}_share{% if not loop.last %},{% endif %}
        {%- else %}
        null::integer as {{ flag }}_base,
        null::double as {{ flag }}_share{% if not loop.last %},{% endif %}
        {%- endif %}
        {%- endfor %}
    from {{ responses[survey] }}
    group by wave, org_code
    {%- if not loop.last %}
    union all
    {%- endif %}
{%- endfor %}
)

select
    used_returns.wave,
    used_returns.survey,
    used_returns.org_code,
    org.org_name,
    org.org_type,
    used_returns.rows_landed,
    coalesce(shares.respondents_used, 0) as respondents_used,
    {%- for flag in org_summary_flags() %}
    case when coalesce(shares.{{ flag }}_base, 0) >= {{ min_base }} then shares.{{ flag }}_base end as {{ flag }}_n,
    case when coalesce(shares.{{ flag }}_base, 0) >= {{ min_base }} then shares.{{ flag }}_share end as {{ flag }}_pct,
    {%- endfor %}
    (
    {%- for flag in org_summary_flags() %}
        (used_returns.survey in ({% for s in ['holders', 'carers'] if flag in factor_ids[s] %}'{{ s }}'{% if not loop.last %}, {% endif %}{% endfor %})
         and coalesce(shares.{{ flag }}_base, 0) < {{ min_base }}){% if not loop.last %} or{% endif %}
    {%- endfor %}
    ) as suppressed
from used_returns
left join shares using (wave, survey, org_code)
left join {{ ref('stg_organisations') }} as org using (org_code)
