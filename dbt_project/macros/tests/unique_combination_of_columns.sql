{#- Generic test: no two rows share the same values of the given columns (the table's key).
    Written here because dbt packages (dbt_utils) cannot be installed offline. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
select {{ combination_of_columns | join(', ') }}, count(*) as rows_with_key
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endtest %}
