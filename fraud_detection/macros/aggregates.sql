{#- The exact median of `expression` in an aggregate. RisingWave maintains percentile_cont in
    streaming views with GROUP BY and retractions since v2.7.0
    (e2e_test/streaming/aggregate/ordered_set_agg.slt), so both targets run the same SQL. -#}
{% macro median(expression) -%}
percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}
