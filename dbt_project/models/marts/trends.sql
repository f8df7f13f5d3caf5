-- Plan 2.7: the national outcome figures of outcome_summary, long form, every wave loaded.
select
    survey,
    outcome_id,
    wave,
    n_relevant,
    n_positive,
    pct_positive,
    ci_low,
    ci_high,
    outcome_label
from {{ ref('outcome_summary') }}
