{#- Recodes shared by both surveys (plan 1.2-1.4): identifiers, outcome flags, the factors
    coded from one code variable, knows_budget_amount and the descriptive recodes. -#}
{% macro rec_common_columns(survey) -%}
    wave,
    org_code,
    source_sha256,
    respondent_id,
    {{ outcome_flag_columns(survey) }},
    {{ code_factor_columns(survey) }},
    {{ knows_budget_amount('amount_gbp', 'asked_amount_gbp') }} as knows_budget_amount,
    {{ code_label('age_band', [(('16-44' if survey == 'holders' else '18-44'), [1, 2, 3]),
                               ('45-64', [4, 5]), ('65+', [6, 7, 8])]) }} as age_group,
    {{ code_label('general_health', [('good', [1, 2]), ('fair', [3]), ('bad', [4, 5])]) }} as health_group,
    {{ weekly_amount('amount_gbp', 'amount_period') }} as weekly_amount_gbp,
    {{ one_off_amount('amount_gbp', 'amount_period') }} as one_off_amount_gbp,
    {{ amount_band(weekly_amount('amount_gbp', 'amount_period')) }} as weekly_amount_band,
    {{ amount_band(one_off_amount('amount_gbp', 'amount_period')) }} as one_off_amount_band
{%- endmacro %}
