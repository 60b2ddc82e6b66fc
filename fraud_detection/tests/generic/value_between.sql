{#- Fails for every row whose column lies outside [min_value, max_value] (NULL passes: pair it with
    not_null where a value is required). -#}
{% test value_between(model, column_name, min_value, max_value) %}
select {{ column_name }} as out_of_range_value
from {{ model }}
where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}
{% endtest %}
