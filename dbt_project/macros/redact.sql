{#- Disclosure control (analysis_plan.md section 3): free text leaves raw only through
    this macro. Order matters: e-mail addresses first (they contain dots and digits), then
    UK phone numbers (0 and ten digits, or +44 and ten digits, spaces, hyphens and brackets
    allowed: so "+44 113 496 0000" is a phone number, not a 3-3-4 NHS number, and an NHS
    number starting with 0 has one digit too few to be a phone number), then NHS numbers
    (ten digits, alone or 3-3-4), UK postcodes, and a title (Mr, Mrs, Ms, Miss, Dr; in
    title, lower or upper case, but not "MS" the illness nor "miss" the verb) with the name
    after it (a word, and a second capitalised word), which become one [name]. -#}
{% macro redaction_patterns() -%}
  {{ return([
    ('[A-Za-z0-9._%+\\-]+@[A-Za-z0-9.\\-]+\\.[A-Za-z]{2,}', '[email]'),
    ('(\\+44[ ]?(\\(0\\)[ ]?)?|\\(?\\b0)([0-9][ \\-\\)]{0,2}){9}[0-9]\\b', '[phone]'),
    ('\\b[0-9]{3}[ ]?[0-9]{3}[ ]?[0-9]{4}\\b', '[nhs_number]'),
    ('(?i)\\b[A-Z]{1,2}[0-9][A-Z0-9]?[ ]?[0-9][A-Z]{2}\\b', '[postcode]'),
    ('\\b(Mrs|Mr|Ms|Miss|Dr|mrs|mr|ms|dr|MRS|MR|MISS|DR)\\b\\.?[ ]+[A-Za-z][A-Za-z\'\\-]+([ ]+[A-Z][A-Za-z\'\\-]+)?', '[name]'),
  ]) }}
{%- endmacro %}

{% macro redact(text) -%}
  {%- set ns = namespace(sql=clean_text(text)) -%}
  {%- for pattern, tag in redaction_patterns() -%}
    {%- set ns.sql = "regexp_replace(" ~ ns.sql ~ ", '" ~ (pattern | replace("'", "''")) ~ "', '" ~ tag ~ "', 'g')" -%}
  {%- endfor -%}
  {{ ns.sql }}
{%- endmacro %}
