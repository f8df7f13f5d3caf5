{#- The data tests of the models incremental by file version read only the rows of the
    slots whose version has not passed them yet (issue 11, DECISIONS R51).

    A version's rows depend only on its bytes and the project's code, and a change of
    code, reference data or tests rebuilds every layer from scratch with
    `--full-refresh` (transform/build_state.py): rows that passed a test under this code
    pass it again. So after each build of such a model a post-hook notes the versions it
    holds (`poet_meta.built__<model>`) and, of those, the ones not recorded as tested
    (`poet_meta.untested__<model>`); the dbt step records the first as
    `poet_meta.tested__<model>` only when its whole build succeeded (transform/assets.py),
    so a version whose test failed is read again by the next build's tests. A test reads:
    - every row on a full refresh, or when no version of the model had passed;
    - otherwise every row of the slots (wave, survey, organisation) of the untested
      versions, the rows of an older version of the slot included (a row the pre-hook
      failed to delete still meets the new ones in a uniqueness test);
    - no row when every version had passed.
    The models and the columns that name a version are `tested_by_version` in
    dbt_project.yml. -#}

{% macro tested_version_columns(name) -%}
{{ return(var('tested_by_version', {}).get(name, [])) }}
{%- endmacro %}

{#- Post-hook of every model (dbt_project.yml): empty unless the model is listed, and dbt
    runs no statement for an empty hook (it sent `select 1` for the 13 others). The schema
    is made once, before any model (`on-run-start`): two threads making it at once conflict. -#}
{% macro note_untested_versions() -%}
{%- set columns = tested_version_columns(this.identifier) -%}
{%- if columns -%}
{%- set listed = columns | join(', ') -%}
{%- set prefix = 'poet_meta.' -%}
create or replace table {{ prefix }}built__{{ this.identifier }} as
select distinct {{ listed }} from {{ this }};
create table if not exists {{ prefix }}tested__{{ this.identifier }} as
select * from {{ prefix }}built__{{ this.identifier }} limit 0;
create or replace table {{ prefix }}untested__{{ this.identifier }} as
select * from {{ prefix }}built__{{ this.identifier }}
{%- if not flags.FULL_REFRESH %}
except
select {{ listed }} from {{ prefix }}tested__{{ this.identifier }}
{%- endif %}
{%- endif -%}
{%- endmacro %}

{#- A SQL literal of a slot value. -#}
{% macro slot_literal(value) -%}
{%- if value is number -%}{{ value }}{%- else -%}'{{ value | string | replace("'", "''") }}'{%- endif -%}
{%- endmacro %}

{#- The condition selecting the rows a test of `relation` must read, or none for every row. -#}
{% macro untested_rows_condition(relation) -%}
{%- set columns = tested_version_columns(relation.identifier) -%}
{%- if not (execute and columns) or flags.FULL_REFRESH -%}
  {{ return(none) }}
{%- endif -%}
{%- set untested = adapter.get_relation(relation.database, 'poet_meta', 'untested__' ~ relation.identifier) -%}
{%- if untested is none -%}
  {{ return(none) }}
{%- endif -%}
{%- set slot = columns | select('in', ['wave', 'survey', 'org_code']) | list -%}
{%- set found = run_query(
    'select distinct ' ~ (slot | join(', ')) ~ ', (select count(*) from poet_meta.untested__'
    ~ relation.identifier ~ ') = (select count(*) from poet_meta.built__' ~ relation.identifier
    ~ ') as everything from poet_meta.untested__' ~ relation.identifier ~ ' order by all') -%}
{%- if found.rows | length == 0 -%}
  {{ return('false') }}
{%- endif -%}
{%- if found.rows[0]['everything'] -%}
  {{ return(none) }}
{%- endif -%}
{%- set slots = [] -%}
{%- for row in found.rows -%}
  {%- set parts = [] -%}
  {%- for column in slot -%}
    {%- if row[column] is none -%}
      {%- do parts.append(column ~ ' is null') -%}
    {%- else -%}
      {%- do parts.append(column ~ ' = ' ~ slot_literal(row[column])) -%}
    {%- endif -%}
  {%- endfor -%}
  {%- do slots.append('(' ~ (parts | join(' and ')) ~ ')') -%}
{%- endfor -%}
{{ return(slots | join(' or ')) }}
{%- endmacro %}

{#- dbt's own macro, which wraps the model of every generic test (and the singular tests
    that call it): the test's `where` config as dbt applies it, and the untested slots. -#}
{% macro get_where_subquery(relation) -%}
{%- set where = config.get('where', '') -%}
{%- set untested = untested_rows_condition(relation) -%}
{%- set conditions = [] -%}
{%- if where %}{% do conditions.append('(' ~ where ~ ')') %}{% endif -%}
{%- if untested is not none %}{% do conditions.append('(' ~ untested ~ ')') %}{% endif -%}
{%- if conditions -%}
(select * from {{ relation }} where {{ conditions | join(' and ') }}) dbt_subquery
{%- else -%}
{{ relation }}
{%- endif -%}
{%- endmacro %}
