{#- Staging of one survey: the consenting rows of the `used` version of each slot,
    typed and validated against the codebook, comments redacted, plus what each file
    asked (`asked_<variable>` from raw.file_registry.columns_present) for the rules that
    depend on it: tick items and amount_gbp. -#}

{#- Variables whose "asked" state a recode needs: blank there means something (0). -#}
{% macro asked_variables(survey) -%}
  {%- set names = [] -%}
  {%- for v in codebook_variables_of_type(survey, ['tick', 'number']) -%}{%- do names.append(v.name) -%}{%- endfor -%}
  {{ return(names) }}
{%- endmacro %}

{% macro comment_variables(survey) -%}
  {%- set names = [] -%}
  {%- for v in codebook_variables(survey) if v.name.startswith('comment_') -%}{%- do names.append(v.name) -%}{%- endfor -%}
  {{ return(names) }}
{%- endmacro %}

{% macro stg_survey(survey) -%}
with used_files as (
    select files.source_sha256, files.wave, files.org_code, files.columns_present
    from {{ source('raw', 'file_registry') }} as files
    where files.status = 'used' and files.survey = '{{ survey }}'
    {{- staging_version_not_built('files') }}
),

invalid_by_respondent as (
    select source_sha256, {{ clean_cell('respondent_id') }} as respondent_id,
           list(distinct variable) as invalid_variables
    from {{ source('raw', 'invalid_cells') }}
    group by all
),

consenting as (
    select delivered.*, used_files.columns_present
    from {{ source('raw', survey) }} as delivered
    inner join used_files using (source_sha256, wave, org_code)
    -- Consent 1 only, read as landing reads it (raw.file_registry.rows_used agrees).
    where {{ valid_code('delivered.consent', [1, 2]) }} = 1
)

select
    consenting.wave::integer as wave,
    {{ clean_cell('consenting.org_code') }} as org_code,
    consenting.source_path,
    consenting.source_sha256,
    consenting.source_row::integer as source_row,
    {{ clean_cell('consenting.respondent_id') }} as respondent_id,
    {%- for v in codebook_variables(survey) if v.name not in ('respondent_id', 'consent') and not v.name.startswith('comment_') %}
    {{ typed_cell(v) }} as {{ v.name }},
    {%- endfor %}
    {%- for name in comment_variables(survey) %}
    {#- A comment landing recorded as invalid (text_too_long) is not published. #}
    case when list_contains(coalesce(invalid_variables, []), '{{ name }}') then null
         else {{ redact(name) }} end as {{ name }}_redacted,
    {%- endfor %}
    {%- for name in asked_variables(survey) %}
    list_contains(consenting.columns_present, '{{ name }}') as asked_{{ name }}{% if not loop.last %},{% endif %}
    {%- endfor %}
from consenting
left join invalid_by_respondent as invalid
    on invalid.source_sha256 = consenting.source_sha256
    and invalid.respondent_id = {{ clean_cell('consenting.respondent_id') }}
{%- endmacro %}
