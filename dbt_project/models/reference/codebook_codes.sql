-- The codebooks' code lists in long form: one row per survey, variable and code.
{%- for survey in ['holders', 'carers'] %}
select
    '{{ survey }}' as survey,
    trim(variable) as variable,
    trim(type) as variable_type,
    cast(trim(split_part(code_label, '=', 1)) as integer) as code,
    trim(substr(code_label, strpos(code_label, '=') + 1)) as label
from {{ ref('codebook_' ~ survey) }},
    unnest(string_split(codes, ';')) as split(code_label)
where nullif(trim(code_label), '') is not null
{% if not loop.last %}union all{% endif %}
{%- endfor %}
