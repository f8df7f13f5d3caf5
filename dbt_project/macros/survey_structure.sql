{#- The analysis plan (docs/contract/analysis_plan.md section 1) as compile-time data.
    Recoded models turn these lists into SQL; reference.outcomes and
    reference.factor_definitions publish them as tables. -#}

{#- Outcome variables and their ids (plan 1.1), in codebook order of the plan's table. -#}
{% macro poet_outcomes(survey) -%}
  {%- set outcomes = {
    'holders': [
      ('out_quality_of_life', 'quality_of_life'),
      ('out_self_esteem', 'self_esteem'),
      ('out_rel_paid_support', 'relationships_paid'),
      ('out_rel_family_friends', 'friends'),
      ('out_rel_family_carer', 'relationships_family'),
      ('out_volunteering', 'volunteering_community'),
      ('out_paid_work', 'paid_work'),
      ('out_where_live', 'where_who_live'),
      ('out_safe', 'feeling_safe'),
      ('out_arranging_support', 'arranging_support'),
      ('out_independence', 'independence'),
      ('out_control', 'control_over_life'),
      ('out_mental_health', 'mental_health'),
      ('out_physical_health', 'physical_health'),
      ('out_dignity', 'dignity'),
    ],
    'carers': [
      ('cout_control', 'carer_control_over_life'),
      ('cout_rel_family_friends', 'carer_relationships_family_friends'),
      ('cout_rel_person', 'carer_relationship_person'),
      ('cout_work_volunteer', 'carer_paid_work_volunteering'),
      ('cout_stress', 'carer_stress'),
      ('cout_qol_person', 'quality_of_life_person'),
      ('cout_qol_carer', 'quality_of_life_carer'),
      ('cout_continue_caring', 'continue_caring'),
    ],
  } -%}
  {{ return(outcomes[survey]) }}
{%- endmacro %}

{#- Outcome codes (plan 1.1): positive 1-2, negative 4-5, relevant 1-5. -#}
{% macro outcome_codes() -%}
  {{ return({'positive': [1, 2], 'not_positive': [3, 4, 5], 'negative': [4, 5], 'not_negative': [1, 2, 3]}) }}
{%- endmacro %}

{#- Factors coded from one code variable (plan 1.2 and 1.3): (factor_id, variable, codes
    giving 1, codes giving 0). Every other code (8, 9, 99, management 6) gives NULL. -#}
{% macro poet_code_factors(survey) -%}
  {%- set common_personal = [
      ('female', 'gender', [1], [2]),
      ('white', 'ethnicity', [1], [2, 3, 4, 5]),
      ('older_adult_65plus', 'age_band', [6, 7, 8], [1, 2, 3, 4, 5]),
  ] -%}
  {%- set funding = [
      ('funder_nhs', 'funder', [2], [1, 3]),
      ('funder_council', 'funder', [1], [2, 3]),
      ('funder_both', 'funder', [3], [1, 2]),
      ('council_support_before', 'prior_support', [1], [2]),
  ] -%}
  {%- if survey == 'holders' -%}
    {%- set factors = common_personal + [
        ('learning_disability', 'main_reason', [2], [1, 3, 4, 5, 6, 7, 8]),
        ('mental_health_difficulty', 'main_reason', [3], [1, 2, 4, 5, 6, 7, 8]),
        ('physical_disability', 'main_reason', [1], [2, 3, 4, 5, 6, 7, 8]),
        ('fair_or_poor_health', 'general_health', [3, 4, 5], [1, 2]),
    ] + funding + [
        ('held_over_1_year', 'duration', [2, 3], [1]),
        ('held_over_3_years', 'duration', [3], [1, 2]),
        ('dp_own_account', 'management', [1], [2, 3, 4, 5]),
        ('dp_family_friend', 'management', [2], [1, 3, 4, 5]),
        ('dp_broker', 'management', [3], [1, 2, 4, 5]),
        ('provider_managed', 'management', [4], [1, 2, 3, 5]),
        ('council_nhs_managed', 'management', [5], [1, 2, 3, 4]),
        ('views_included_needs_assessed', 'views_needs', [1], [2, 3]),
        ('views_included_budget_set', 'views_budget', [1], [2, 3]),
        ('views_included_support_plan', 'views_plan', [1], [2, 3]),
    ] -%}
  {%- elif survey == 'carers' -%}
    {%- set factors = common_personal + [
        ('fair_or_poor_health', 'general_health', [3, 4, 5], [1, 2]),
        ('self_reported_disability', 'disability', [2, 3, 4, 5, 6, 7], [1]),
        ('caring_for_partner_spouse', 'relationship', [1], [2, 3, 4, 5]),
        ('caring_for_son_daughter', 'relationship', [2], [1, 3, 4, 5]),
        ('caring_for_parent', 'relationship', [3], [1, 2, 4, 5]),
        ('caring_for_other', 'relationship', [4], [1, 2, 3, 5]),
        ('caring_for_friend_neighbour', 'relationship', [5], [1, 2, 3, 4]),
        ('lives_with_person', 'lives_with', [1], [2]),
        ('caring_24_7', 'caring_24_7', [1], [2]),
    ] + funding + [
        ('held_over_1_year', 'pb_duration', [2, 3], [1]),
        ('held_over_3_years', 'pb_duration', [3], [1, 2]),
        ('views_included_person_needs', 'views_person_needs', [1], [2, 3, 4]),
        ('views_included_carer_needs', 'views_carer_needs', [1], [2, 3, 4]),
        ('views_included_budget_set', 'views_budget', [1], [2, 3, 4]),
        ('views_included_support_plan', 'views_plan', [1], [2, 3, 4]),
    ] -%}
  {%- endif -%}
  {{ return(factors) }}
{%- endmacro %}

{#- Multi-select questions (plan 1.2): question name -> [(factor_id, tick variable)]. -#}
{% macro poet_tick_questions(survey) -%}
  {%- set questions = {
    'holders': {
      'plan_help': [
        ('plan_help_family_friends', 'plan_help_family'),
        ('plan_help_council', 'plan_help_council'),
        ('plan_help_nhs', 'plan_help_nhs'),
        ('plan_help_independent', 'plan_help_independent'),
        ('plan_help_provider', 'plan_help_provider'),
        ('plan_without_help', 'plan_help_none'),
      ],
      'spend': [
        ('spend_care_support', 'spend_care_support'),
        ('spend_community_leisure', 'spend_community_leisure'),
        ('spend_personal_assistants', 'spend_personal_assistant'),
        ('spend_equipment', 'spend_equipment'),
      ],
    },
    'carers': {},
  } -%}
  {{ return(questions[survey]) }}
{%- endmacro %}

{#- The nine process items of the holders' survey (plan 1.2 process_made_easy, 1.4). -#}
{% macro poet_process_items() -%}
  {{ return(['process_info', 'process_agree_amount', 'process_restrictions', 'process_planning',
             'process_choose', 'process_get_support', 'process_change', 'process_manage',
             'process_account']) }}
{%- endmacro %}

{#- process_made_easy (plan 1.2): at least this many items coded 1-5, mean below the cut. -#}
{% macro process_made_easy_rule() -%}
  {{ return({'min_items': 3, 'easy_below_mean': 2.5}) }}
{%- endmacro %}

{#- Every factor_id of a survey in the plan's order of factor kinds (33 holders, 23 carers). -#}
{% macro poet_factor_ids(survey) -%}
  {%- set ids = [] -%}
  {%- for f in poet_code_factors(survey) -%}{%- do ids.append(f[0]) -%}{%- endfor -%}
  {%- for question, items in poet_tick_questions(survey).items() -%}
    {%- for item in items -%}{%- do ids.append(item[0]) -%}{%- endfor -%}
  {%- endfor -%}
  {%- do ids.append('knows_budget_amount') -%}
  {%- if survey == 'holders' -%}{%- do ids.append('process_made_easy') -%}{%- endif -%}
  {{ return(ids) }}
{%- endmacro %}

{#- The shares of marts.org_summary (plan 2.6): process_made_easy and every views flag. -#}
{% macro org_summary_flags() -%}
  {{ return(['process_made_easy', 'views_included_needs_assessed', 'views_included_person_needs',
             'views_included_carer_needs', 'views_included_budget_set',
             'views_included_support_plan']) }}
{%- endmacro %}

{#- Amount periods (codebook amount_period) -> weekly amount as the plan writes it (1.4),
    with `x` the amount; 5 (one-off) has no weekly amount. -#}
{% macro amount_period_weekly() -%}
  {{ return({1: 'x', 2: 'x / 4', 3: 'x * 12 / 52', 4: 'x / 52'}) }}
{%- endmacro %}

{% macro one_off_amount_period() -%}{{ return(5) }}{%- endmacro %}

{#- Bands of weekly and one-off amounts (plan 1.4): (band, lower exclusive, upper inclusive). -#}
{% macro amount_bands() -%}
  {{ return([('up_to_200', 0, 200), ('201_500', 200, 500), ('501_1000', 500, 1000),
             ('over_1000', 1000, none)]) }}
{%- endmacro %}
