-- A readable label for every variable an analyst meets in the marts, one row per survey,
-- kind and variable:
--   kind 'codebook': every codebook variable (distributions, data_quality_issues), its
--     question with a leading "..." removed, capitalised;
--   kind 'analysis': the flags and recodes the statistics are about (group_differences,
--     group_figures): <outcome_id>_positive / _negative, every factor_id, each process
--     item's <item>_level and weekly_amount_gbp.
with questions as (
    select 'holders' as survey, trim(variable) as variable, trim(question) as question
    from {{ ref('codebook_holders') }}
    union all
    select 'carers', trim(variable), trim(question) from {{ ref('codebook_carers') }}
),

codebook as (
    select
        survey,
        variable,
        trim(regexp_replace(question, '^\.\.\.', '')) as text
    from questions
),

codebook_labels as (
    select survey, 'codebook' as kind, variable, upper(left(text, 1)) || substr(text, 2) as variable_label
    from codebook
),

analysis_labels as (
    select survey, 'analysis' as kind, outcome_id || '_positive' as variable,
           outcome_label || ': better (codes 1-2 of those for whom it is relevant)' as variable_label
    from {{ ref('outcomes') }}
    union all
    select survey, 'analysis', outcome_id || '_negative',
           outcome_label || ': worse (codes 4-5 of those for whom it is relevant)'
    from {{ ref('outcomes') }}
    union all
    select survey, 'analysis', factor_id, factor_label
    from {{ ref('factor_definitions') }}
    union all
    select survey, 'analysis', variable || '_level',
           variable_label || ' (easy, neither or difficult)'
    from codebook_labels
    where variable like 'process\_%' escape '\'
    union all
    select 'holders', 'analysis', 'weekly_amount_gbp',
           'Weekly budget amount in pounds (ongoing budgets; analysis_plan.md 1.4)'
)

select * from codebook_labels
union all
select * from analysis_labels
