{#- Generic test: none of the given columns holds a NULL. The same rule as dbt's not_null,
    for all of a model's required columns in one scan: one dbt test (one query, one
    Dagster check) per model instead of one per column, which keeps the fixed cost of a
    refresh down (docs/refresh.md, DECISIONS R27). Fails with one row per column that
    holds NULLs, and how many. -#}
{% test not_null_columns(model, columns) %}
with null_counts as (
    select
    {%- for column in columns %}
        count(*) filter (where "{{ column }}" is null) as "{{ column }}"{{ "," if not loop.last }}
    {%- endfor %}
    from {{ model }}
)
select column_name, null_rows
from (
    unpivot null_counts
    on {% for column in columns %}"{{ column }}"{{ ", " if not loop.last }}{% endfor %}
    into name column_name value null_rows
)
where null_rows > 0
{% endtest %}
