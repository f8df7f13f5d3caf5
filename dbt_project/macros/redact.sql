{#- Disclosure control (analysis_plan.md section 3): free text leaves raw only through
    this macro. The rules, in order, are generated into macros/redaction_rules.sql from
    dagster_project/redaction.py and the seeds redaction_*.csv (docs/redaction.md):
    e-mail addresses, dates, phone numbers, NHS numbers, National Insurance numbers and
    postcodes (only where the text has a digit or an "@"), then names (after a title,
    after a trigger such as "my PA", from the first-name list), a full name becoming one
    [name]. Each rule is one regexp_replace over the column: set-based, in DuckDB.
    redaction.redact_sql() renders the same SQL (tests/redaction). -#}
{% macro redaction_chain(sql, steps) -%}
  {%- set ns = namespace(sql=sql) -%}
  {%- for pattern, replacement in steps -%}
    {%- set ns.sql = "regexp_replace(" ~ ns.sql ~ ", '" ~ (pattern | replace("'", "''")) ~ "', '" ~ (replacement | replace("'", "''")) ~ "', 'g')" -%}
  {%- endfor -%}
  {{ return(ns.sql) }}
{%- endmacro %}

{% macro redact(text) -%}
  {%- set cleaned = clean_text(text) -%}
  {%- set fixed = redaction_chain(cleaned, redaction_fixed_rules()) -%}
  {%- set guarded = "CASE WHEN regexp_matches(" ~ cleaned ~ ", '" ~ redaction_prefilter() ~ "') THEN " ~ fixed ~ " ELSE " ~ cleaned ~ " END" -%}
  {{ redaction_chain(guarded, redaction_name_rules()) }}
{%- endmacro %}
