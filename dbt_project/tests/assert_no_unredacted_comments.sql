-- Disclosure control (plan 3): no published comment still matches a pattern that the
-- redaction replaces (macros/redaction_rules.sql, generated from dagster_project/redaction.py;
-- the quality gates scan with the same patterns). The short prefilter matches wherever a
-- pattern does, so the long patterns only read the few comments it lets through.
select *
from {{ get_where_subquery(ref('comments')) }}  -- the untested slots (macros/tested_versions.sql)
where regexp_matches(comment_redacted, '{{ redaction_gate_prefilter() | replace("'", "''") }}')
  and (
{%- for name, pattern in redaction_gate_patterns() %}
    {% if not loop.first %}or {% endif %}regexp_matches(comment_redacted, '{{ pattern | replace("'", "''") }}')  -- {{ name }}
{%- endfor %}
  )
