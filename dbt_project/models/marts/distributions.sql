-- Plan 2.1: count and share of each code of every code and tick variable (consent aside)
-- among those who answered it. Codes 8 and 9 are answers and stay in the base. A tick
-- item is answered when any item of its question is ticked, and then blank counts as 0;
-- an item absent from a file is not asked there.
with answers as (
{%- set selects = [] %}
{%- for survey, stg in [('holders', 'stg_holders'), ('carers', 'stg_carers')] %}
  {%- for v in codebook_variables_of_type(survey, ['code']) if v.name != 'consent' %}
    {%- do selects.append("select wave, '" ~ survey ~ "' as survey, '" ~ v.name ~ "' as variable, "
                          ~ v.name ~ " as code from " ~ ref(stg) ~ " where " ~ v.name ~ " is not null") %}
  {%- endfor %}
  {%- for question, items in poet_tick_questions(survey).items() %}
    {%- set any_ticked %}({% for f, item in items %}coalesce({{ item }} = 1 and asked_{{ item }}, false){% if not loop.last %} or {% endif %}{% endfor %}){% endset %}
    {%- for f, item in items %}
      {%- do selects.append("select wave, '" ~ survey ~ "' as survey, '" ~ item ~ "' as variable, coalesce("
                            ~ item ~ ", 0) as code from " ~ ref(stg) ~ " where asked_" ~ item ~ " and " ~ any_ticked) %}
    {%- endfor %}
  {%- endfor %}
{%- endfor %}
{{ selects | join('\n    union all\n    ') }}
),

counted as (
    select wave, survey, variable, code, count(*)::integer as n
    from answers
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
