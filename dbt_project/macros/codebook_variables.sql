{#- The codebooks as compile-time lists, so models can write one SQL column per variable.
    Mirror of seeds/reference/codebook_<survey>.csv (name, type, valid codes); the data test
    tests/assert_codebook_macro_matches_seed.sql fails if the two ever differ. -#}
{% macro codebook_variables(survey) -%}
  {%- set holders = [
      {'name': 'respondent_id', 'type': 'text', 'codes': []},
      {'name': 'consent', 'type': 'code', 'codes': [1, 2]},
      {'name': 'survey_date', 'type': 'date', 'codes': []},
      {'name': 'completed_how', 'type': 'code', 'codes': [1, 2, 3, 4]},
      {'name': 'main_reason', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 6, 7, 8]},
      {'name': 'general_health', 'type': 'code', 'codes': [1, 2, 3, 4, 5]},
      {'name': 'funder', 'type': 'code', 'codes': [1, 2, 3, 9]},
      {'name': 'management', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 6, 9]},
      {'name': 'duration', 'type': 'code', 'codes': [1, 2, 3, 9]},
      {'name': 'prior_support', 'type': 'code', 'codes': [1, 2, 9]},
      {'name': 'amount_gbp', 'type': 'number', 'codes': []},
      {'name': 'amount_period', 'type': 'code', 'codes': [1, 2, 3, 4, 5]},
      {'name': 'plan_help_family', 'type': 'tick', 'codes': [1, 0]},
      {'name': 'plan_help_council', 'type': 'tick', 'codes': [1, 0]},
      {'name': 'plan_help_nhs', 'type': 'tick', 'codes': [1, 0]},
      {'name': 'plan_help_independent', 'type': 'tick', 'codes': [1, 0]},
      {'name': 'plan_help_provider', 'type': 'tick', 'codes': [1, 0]},
      {'name': 'plan_help_none', 'type': 'tick', 'codes': [1, 0]},
      {'name': 'views_needs', 'type': 'code', 'codes': [1, 2, 3, 9]},
      {'name': 'views_budget', 'type': 'code', 'codes': [1, 2, 3, 9]},
      {'name': 'views_plan', 'type': 'code', 'codes': [1, 2, 3, 9]},
      {'name': 'process_info', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'process_agree_amount', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'process_restrictions', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'process_planning', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'process_choose', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'process_get_support', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'process_change', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'process_manage', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'process_account', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'spend_care_support', 'type': 'tick', 'codes': [1, 0]},
      {'name': 'spend_community_leisure', 'type': 'tick', 'codes': [1, 0]},
      {'name': 'spend_personal_assistant', 'type': 'tick', 'codes': [1, 0]},
      {'name': 'spend_equipment', 'type': 'tick', 'codes': [1, 0]},
      {'name': 'out_dignity', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'out_physical_health', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'out_mental_health', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'out_control', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'out_independence', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'out_arranging_support', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'out_safe', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'out_where_live', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'out_paid_work', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'out_volunteering', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'out_rel_family_carer', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'out_rel_family_friends', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'out_rel_paid_support', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'out_self_esteem', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'out_quality_of_life', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'gender', 'type': 'code', 'codes': [1, 2, 3, 9]},
      {'name': 'age_band', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 6, 7, 8, 99]},
      {'name': 'ethnicity', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 9]},
      {'name': 'religion', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 6, 7, 8, 9]},
      {'name': 'sexuality', 'type': 'code', 'codes': [1, 2, 3, 4, 9]},
      {'name': 'comment_worked_well', 'type': 'text', 'codes': []},
      {'name': 'comment_not_worked', 'type': 'text', 'codes': []},
      {'name': 'comment_change', 'type': 'text', 'codes': []}
  ] -%}
  {%- set carers = [
      {'name': 'respondent_id', 'type': 'text', 'codes': []},
      {'name': 'consent', 'type': 'code', 'codes': [1, 2]},
      {'name': 'survey_date', 'type': 'date', 'codes': []},
      {'name': 'relationship', 'type': 'code', 'codes': [1, 2, 3, 4, 5]},
      {'name': 'lives_with', 'type': 'code', 'codes': [1, 2]},
      {'name': 'hours_band', 'type': 'code', 'codes': [1, 2, 3, 4]},
      {'name': 'caring_24_7', 'type': 'code', 'codes': [1, 2]},
      {'name': 'pb_duration', 'type': 'code', 'codes': [1, 2, 3, 9]},
      {'name': 'prior_support', 'type': 'code', 'codes': [1, 2, 9]},
      {'name': 'funder', 'type': 'code', 'codes': [1, 2, 3, 9]},
      {'name': 'amount_gbp', 'type': 'number', 'codes': []},
      {'name': 'amount_period', 'type': 'code', 'codes': [1, 2, 3, 4, 5]},
      {'name': 'views_person_needs', 'type': 'code', 'codes': [1, 2, 3, 4, 8]},
      {'name': 'views_carer_needs', 'type': 'code', 'codes': [1, 2, 3, 4, 8]},
      {'name': 'views_budget', 'type': 'code', 'codes': [1, 2, 3, 4, 8]},
      {'name': 'views_plan', 'type': 'code', 'codes': [1, 2, 3, 4, 8]},
      {'name': 'cout_control', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'cout_rel_family_friends', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'cout_rel_person', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'cout_work_volunteer', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'cout_stress', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'cout_qol_person', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'cout_qol_carer', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'cout_continue_caring', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 8]},
      {'name': 'general_health', 'type': 'code', 'codes': [1, 2, 3, 4, 5]},
      {'name': 'disability', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 6, 7]},
      {'name': 'gender', 'type': 'code', 'codes': [1, 2, 3, 9]},
      {'name': 'age_band', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 6, 7, 8, 99]},
      {'name': 'ethnicity', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 9]},
      {'name': 'religion', 'type': 'code', 'codes': [1, 2, 3, 4, 5, 6, 7, 8, 9]},
      {'name': 'sexuality', 'type': 'code', 'codes': [1, 2, 3, 4, 9]},
      {'name': 'comment_worked_well', 'type': 'text', 'codes': []},
      {'name': 'comment_not_worked', 'type': 'text', 'codes': []},
      {'name': 'comment_change', 'type': 'text', 'codes': []}
  ] -%}
  {%- if survey == 'holders' -%}{{ return(holders) }}
  {%- elif survey == 'carers' -%}{{ return(carers) }}
  {%- else -%}{{ exceptions.raise_compiler_error("unknown survey '" ~ survey ~ "': expected holders or carers") }}
  {%- endif -%}
{%- endmacro %}

{#- Variables of one survey restricted to the given types, e.g. ['code', 'tick']. -#}
{% macro codebook_variables_of_type(survey, types) -%}
  {%- set picked = [] -%}
  {%- for v in codebook_variables(survey) if v.type in types -%}{%- do picked.append(v) -%}{%- endfor -%}
  {{ return(picked) }}
{%- endmacro %}
