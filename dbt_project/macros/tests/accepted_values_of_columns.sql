{#- Generic test: every non-NULL value of each of the given columns is one of `values`.
    The same rule as dbt's accepted_values, for many columns in one query: one dbt test
    (one query, one Dagster check) per value set instead of one per column, which keeps
    the fixed cost of a refresh down (docs/refresh.md). Fails with one row per column
    and offending value. -#}
{% test accepted_values_of_columns(model, columns, values) %}
{%- set accepted = [] -%}
{%- for value in values -%}{%- do accepted.append("'" ~ (value | string | replace("'", "''")) ~ "'") -%}{%- endfor %}
{%- for column in columns %}
select '{{ column }}' as column_name, {{ column }}::varchar as value, count(*) as rows_with_value
from {{ model }}
where {{ column }} is not null and {{ column }}::varchar not in ({{ accepted | join(', ') }})
group by all
{% if not loop.last %}union all{% endif %}
{%- endfor %}
{% endtest %}
