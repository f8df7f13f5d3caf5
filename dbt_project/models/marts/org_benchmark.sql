-- Plan 2.6 with disclosure control (plan 3): each organisation with a used return against
-- the national figure, per wave, survey and outcome. Bases under the minimum are
-- suppressed: counts, share, interval, comparison and funnel limits NULL.
{%- set min_base = var('disclosure_min_base') %}
with used_returns as (
    select distinct wave, survey, org_code
    from {{ source('raw', 'file_registry') }}
    where status = 'used'
),

org_counts as (
{{ outcome_counts(['org_code']) }}
),

figures as (
    select
        used_returns.wave,
        used_returns.survey,
        used_returns.org_code,
        national.outcome_id,
        coalesce(org_counts.n_relevant, 0) as n_relevant,
        coalesce(org_counts.n_positive, 0) as n_positive,
        national.pct_positive as national_pct,
        coalesce(org_counts.n_relevant, 0) < {{ min_base }} as suppressed
    from used_returns
    inner join {{ ref('outcome_summary') }} as national
        on national.wave = used_returns.wave and national.survey = used_returns.survey
    left join org_counts
        on org_counts.wave = used_returns.wave and org_counts.survey = used_returns.survey
        and org_counts.org_code = used_returns.org_code and org_counts.outcome_id = national.outcome_id
),

intervals as (
    select
        *,
        {{ pct('n_positive', 'n_relevant') }} as pct_positive,
        {{ wilson_bound('n_positive', 'n_relevant', -1) }} as ci_low,
        {{ wilson_bound('n_positive', 'n_relevant', 1) }} as ci_high,
        national_pct / 100.0 as p0
    from figures
)

select
    intervals.wave,
    intervals.survey,
    intervals.org_code,
    org.org_name,
    intervals.outcome_id,
    case when not suppressed then n_relevant end as n_relevant,
    case when not suppressed then n_positive end as n_positive,
    case when not suppressed then pct_positive end as pct_positive,
    case when not suppressed then ci_low end as ci_low,
    case when not suppressed then ci_high end as ci_high,
    national_pct,
    case
        when suppressed then null
        when ci_low > national_pct then 'higher'
        when ci_high < national_pct then 'lower'
        else 'similar'
    end as comparison,
    case when not suppressed then {{ funnel_limit('p0', 'n_relevant', z_95(), -1) }} end as funnel_95_low,
    case when not suppressed then {{ funnel_limit('p0', 'n_relevant', z_95(), 1) }} end as funnel_95_high,
    case when not suppressed then {{ funnel_limit('p0', 'n_relevant', z_998(), -1) }} end as funnel_998_low,
    case when not suppressed then {{ funnel_limit('p0', 'n_relevant', z_998(), 1) }} end as funnel_998_high,
    suppressed,
    outcomes.outcome_label
from intervals
left join {{ ref('stg_organisations') }} as org using (org_code)
left join {{ ref('outcomes') }} as outcomes
    on outcomes.survey = intervals.survey and outcomes.outcome_id = intervals.outcome_id
