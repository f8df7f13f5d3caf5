{#- Schemas are exactly the layer names (reference, staging, recoded, marts), never
    prefixed with the target schema: analysts and the stats stage query them by name. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
