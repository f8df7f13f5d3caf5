-- Plan 2.1: national outcome figures per wave and survey, of those for whom the outcome
-- is relevant (codes 1-5), with a Wilson score 95% interval for pct_positive.
with counts as (
{{ outcome_counts() }}
)

select
    counts.wave,
    counts.survey,
    counts.outcome_id,
    outcomes.variable,
    counts.n_relevant,
    counts.n_positive,
    counts.n_negative,
    {{ pct('counts.n_positive', 'counts.n_relevant') }} as pct_positive,
    {{ wilson_bound('counts.n_positive', 'counts.n_relevant', -1) }} as ci_low,
    {{ wilson_bound('counts.n_positive', 'counts.n_relevant', 1) }} as ci_high,
    {{ pct('counts.n_negative', 'counts.n_relevant') }} as pct_negative,
    {{ pct('counts.n_relevant - counts.n_positive - counts.n_negative', 'counts.n_relevant') }} as pct_no_difference,
    outcomes.outcome_label
from counts
inner join {{ ref('outcomes') }} as outcomes
    on outcomes.survey = counts.survey and outcomes.outcome_id = counts.outcome_id
