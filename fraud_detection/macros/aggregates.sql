{#- The exact median of `expression` in an aggregate. RisingWave maintains percentile_cont in
    streaming views with GROUP BY and retractions since v2.7.0
    (e2e_test/streaming/aggregate/ordered_set_agg.slt), so both targets run the same SQL. -#}
{% macro median(expression) -%}
percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{#- The account risk formula: the noisy-or 1 - prod(1 - term) of one weighted term per signal type,
    so one signal never exceeds its weight and agreeing signals compound; 4 places (`digits`;
    none: unrounded, for a score that ranks transactions, where rounding would create ties). One
    home for the risk score, the risk Card Precision@100 ranks cards by, and the rules + model
    score of mv_transaction_risk_scores. -#}
{% macro noisy_or(terms, digits=4) -%}
{%- if digits is not none %}round({% endif %}1 - (
    {%- for term in terms %}
    (1 - {{ term }}){{ " *" if not loop.last }}
    {%- endfor %}
){%- if digits is not none %}, {{ digits }}){% endif %}
{%- endmacro %}
