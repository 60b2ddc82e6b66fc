{#- The median of `expression` in an aggregate. RisingWave cannot maintain percentile_cont in a
    streaming view and offers approx_percentile instead. -#}
{% macro median(expression) %}
    {{ return(adapter.dispatch('median', 'fraud_detection')(expression)) }}
{% endmacro %}

{% macro risingwave__median(expression) -%}
approx_percentile(0.5) within group (order by {{ expression }})
{%- endmacro %}

{% macro default__median(expression) -%}
percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}
