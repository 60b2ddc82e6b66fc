{#- The temporal filter that bounds every view's state: on RisingWave rows older than the retention
    leave the view (and retract downstream); on PostgreSQL NOW() is the replay's wall clock. -#}
{% macro within_retention(time_column) -%}
{{ time_column }} > now() - interval '{{ var("retention_hours") }} hours'
{%- endmacro %}
