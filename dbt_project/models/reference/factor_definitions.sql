-- The factors of analysis_plan.md 1.2 and 1.3 as data: where each comes from and which
-- codes give 1 and 0 (rule: code, tick, amount or process_scale), with the report's label
-- and table number.
{%- set rows = [] %}
{%- for survey in ['holders', 'carers'] %}
  {%- for factor_id, variable, ones, zeros in poet_code_factors(survey) %}
    {%- do rows.append((survey, factor_id, variable, 'code', ones | join(','), zeros | join(','))) %}
  {%- endfor %}
  {%- for question, items in poet_tick_questions(survey).items() %}
    {%- for factor_id, variable in items %}
      {%- do rows.append((survey, factor_id, variable, 'tick', '1', '0 or blank')) %}
    {%- endfor %}
  {%- endfor %}
  {%- do rows.append((survey, 'knows_budget_amount', 'amount_gbp', 'amount', 'amount > 0', 'no valid amount')) %}
  {%- if survey == 'holders' %}
    {%- do rows.append((survey, 'process_made_easy', 'process_*', 'process_scale', 'mean < 2.5', 'mean >= 2.5')) %}
  {%- endif %}
{%- endfor %}
with definitions as (
{%- for survey, factor_id, variable, rule, ones, zeros in rows %}
    select '{{ survey }}' as survey, '{{ factor_id }}' as factor_id, '{{ variable }}' as variable,
           '{{ rule }}' as rule, '{{ ones }}' as codes_for_1, '{{ zeros }}' as codes_for_0
    {% if not loop.last %}union all{% endif %}
{%- endfor %}
),

-- The report's wording of each factor and the number of the report table of bivariate
-- odds ratios it belongs to (Tables 1-6 holders, 8-11 carers), from the 2014 seeds.
report as (
    select distinct 'holders' as survey, factor_id, factor_label, "table" as report_table
    from {{ ref('published_2014_holder_bivariate_odds_ratios') }}
    union all
    select distinct 'carers', factor_id, factor_label, "table"
    from {{ ref('published_2014_carer_bivariate_odds_ratios') }}
)

select definitions.*, report.factor_label, report.report_table::integer as report_table
from definitions
left join report using (survey, factor_id)
