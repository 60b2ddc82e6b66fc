{#- A case's id: its account and the epoch second of its first detection. -#}
{% macro case_id(account_column, opened_at_column) -%}
'case_' || {{ account_column }} || '_'
|| cast(cast(extract(epoch from {{ opened_at_column }}) as bigint) as varchar)
{%- endmacro %}
