-- Every analysis flag and recode of analysis_plan.md section 1 for budget holders.
-- Incremental by file version (macros/incremental_by_version.sql).
{{ config(materialized='incremental', incremental_strategy='append',
          pre_hook="{{ delete_recoded_versions_not_staged('stg_holders') }}") }}
select
    {{ rec_common_columns('holders') }},
    {%- for question, items in poet_tick_questions('holders').items() %}
    {{ tick_question_columns(items) }},
    {%- endfor %}
    {{ process_made_easy(poet_process_items()) }} as process_made_easy,
    {{ code_label('main_reason', [('physical_disability', [1]), ('learning_disability', [2]),
                                  ('mental_health', [3]), ('older_people', [4])]) }} as social_care_group,
    {%- for item in poet_process_items() %}
    {{ code_label(item, [('easy', [1, 2]), ('neither', [3]), ('difficult', [4, 5])]) }} as {{ item }}_level,
    {%- endfor %}
    {%- for item in poet_process_items() %}
    case when {{ item }} between 1 and 5 then {{ item }} end as {{ item }}{% if not loop.last %},{% endif %}
    {%- endfor %}
from {{ rows_not_built('stg_holders') }}
