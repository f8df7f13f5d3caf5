{#- Disclosure control (analysis_plan.md section 3): free text leaves raw only through
    this macro. Order matters: e-mail addresses first (they contain dots and digits), then
    phone numbers (they start with 0 or +44, so "+44 113 496 0000" is not read as a 3-3-4
    NHS number), then NHS numbers, postcodes, and a title with the name after it. -#}
{% macro redaction_patterns() -%}
  {{ return([
    ('[A-Za-z0-9._%+\\-]+@[A-Za-z0-9.\\-]+\\.[A-Za-z]{2,}', '[email]'),
    ('(\\+44[ ]?(\\(0\\)[ ]?)?|\\(?\\b0)[0-9]{2,4}\\)?([ \\-]?[0-9]{3,4}){2}\\b', '[phone]'),
    ('\\b[0-9]{3}[ ]?[0-9]{3}[ ]?[0-9]{4}\\b', '[nhs_number]'),
    ('(?i)\\b[A-Z]{1,2}[0-9][A-Z0-9]?[ ]?[0-9][A-Z]{2}\\b', '[postcode]'),
    ('\\b(?i:mrs|mr|ms|miss|dr)\\b\\.?[ ]+[A-Z][A-Za-z\'\\-]+([ ]+[A-Z][A-Za-z\'\\-]+)?', '[name]'),
  ]) }}
{%- endmacro %}

{% macro redact(text) -%}
  {%- set ns = namespace(sql=clean_text(text)) -%}
  {%- for pattern, tag in redaction_patterns() -%}
    {%- set ns.sql = "regexp_replace(" ~ ns.sql ~ ", '" ~ (pattern | replace("'", "''")) ~ "', '" ~ tag ~ "', 'g')" -%}
  {%- endfor -%}
  {{ ns.sql }}
{%- endmacro %}
