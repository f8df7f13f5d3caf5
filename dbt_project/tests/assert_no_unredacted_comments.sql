-- Disclosure control (plan 3): no published comment still matches a pattern that the
-- redaction replaces (macros/redaction_rules.sql, generated from dagster_project/redaction.py;
-- the quality gates scan with the same patterns).
select *
from {{ ref('comments') }}
where
{%- for name, pattern in redaction_gate_patterns() %}
    {% if not loop.first %}or {% endif %}regexp_matches(comment_redacted, '{{ pattern | replace("'", "''") }}')  -- {{ name }}
{%- endfor %}
