{#- Great-circle distance in km (haversine); the asin argument is clamped because rounding can push
    it above 1, where asin returns NaN on RisingWave and fails on PostgreSQL. NULL when any input is
    NULL: LEAST ignores NULLs, so least(1.0, NULL) alone would make a missing location half the
    Earth's circumference (an account's first transaction has no previous one). -#}
{% macro haversine_km(lat1, lon1, lat2, lon2) -%}
(case
    when {{ lat1 }} is null or {{ lon1 }} is null or {{ lat2 }} is null or {{ lon2 }} is null
        then cast(null as double precision)
    else 2 * 6371.0 * asin(least(1.0, sqrt(
        power(sin(radians({{ lat2 }} - {{ lat1 }}) / 2), 2)
        + cos(radians({{ lat1 }})) * cos(radians({{ lat2 }}))
        * power(sin(radians({{ lon2 }} - {{ lon1 }}) / 2), 2)
    )))
end)
{%- endmacro %}
