{#- A one-size tumbling window over `relation` (a CTE or relation name), adding window_start and
    window_end. RisingWave has the TUMBLE table function; PostgreSQL bins with date_bin. -#}
{% macro tumble(relation, time_column, size) %}
    {{ return(adapter.dispatch('tumble', 'fraud_detection')(relation, time_column, size)) }}
{% endmacro %}

{% macro risingwave__tumble(relation, time_column, size) -%}
tumble({{ relation }}, {{ time_column }}, interval '{{ size }}')
{%- endmacro %}

{% macro default__tumble(relation, time_column, size) -%}
(
    select
        binned.*,
        date_bin(interval '{{ size }}', binned.{{ time_column }}, timestamptz '1970-01-01 00:00:00+00')
            as window_start,
        date_bin(interval '{{ size }}', binned.{{ time_column }}, timestamptz '1970-01-01 00:00:00+00')
            + interval '{{ size }}' as window_end
    from {{ relation }} as binned
)
{%- endmacro %}
