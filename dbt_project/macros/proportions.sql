{#- Interval arithmetic of analysis_plan.md section 2, percentages on a 0-100 scale. -#}

{% macro z_95() %}1.959964{% endmacro %}
{% macro z_998() %}3.090232{% endmacro %}

{#- Wilson score interval bound for k successes of n (sign -1 low, +1 high), in percent. -#}
{% macro wilson_bound(k, n, sign) -%}
  case when {{ n }} > 0 then 100.0 * (
    (({{ k }})::double / {{ n }} + {{ z_95() }} ^ 2 / (2.0 * {{ n }}))
    {{ '-' if sign < 0 else '+' }} {{ z_95() }} * sqrt(
        (({{ k }})::double / {{ n }}) * (1 - ({{ k }})::double / {{ n }}) / {{ n }}
        + {{ z_95() }} ^ 2 / (4.0 * {{ n }} ^ 2))
  ) / (1 + {{ z_95() }} ^ 2 / {{ n }}) end
{%- endmacro %}

{#- Share in percent, NULL for an empty base. -#}
{% macro pct(part, base) -%}
  case when {{ base }} > 0 then 100.0 * ({{ part }}) / ({{ base }}) end
{%- endmacro %}

{#- Funnel-plot limit around national proportion p0 (0-1) for base n, clipped to [0, 100]. -#}
{% macro funnel_limit(p0, n, z, sign) -%}
  case when {{ n }} > 0 and {{ p0 }} is not null then
    least(100.0, greatest(0.0,
      100.0 * ({{ p0 }} {{ '-' if sign < 0 else '+' }} {{ z }} * sqrt({{ p0 }} * (1 - {{ p0 }}) / {{ n }}))))
  end
{%- endmacro %}
