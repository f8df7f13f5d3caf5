-- Plan 2.1: count and share of each code of every code and tick variable (consent aside)
-- among those who answered it. The counts are those of each file version
-- (recoded.rec_answer_counts, where the rules of what counts as an answer are), added up.
with counted as (
    select wave, survey, variable, code, sum(n)::integer as n
    from {{ ref('rec_answer_counts') }}
    group by all
)

select
    counted.wave,
    counted.survey,
    counted.variable,
    counted.code,
    codes.label,
    counted.n,
    100.0 * counted.n / sum(counted.n) over (partition by counted.wave, counted.survey, counted.variable) as pct,
    labels.variable_label
from counted
left join {{ ref('codebook_codes') }} as codes
    on codes.survey = counted.survey and codes.variable = counted.variable and codes.code = counted.code
left join {{ ref('variable_labels') }} as labels
    on labels.survey = counted.survey and labels.kind = 'codebook' and labels.variable = counted.variable
