-- The factors of analysis_plan.md 1.2 and 1.3 as data: where each comes from and which
-- codes give 1 and 0 (rule: code, tick, amount or process_scale).
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
{%- for survey, factor_id, variable, rule, ones, zeros in rows %}
select '{{ survey }}' as survey, '{{ factor_id }}' as factor_id, '{{ variable }}' as variable,
       '{{ rule }}' as rule, '{{ ones }}' as codes_for_1, '{{ zeros }}' as codes_for_0
{% if not loop.last %}union all{% endif %}
{%- endfor %}
