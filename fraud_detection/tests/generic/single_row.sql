{#- The key of a one-row summary: exactly one row, whatever the input. -#}
{% test single_row(model) %}
select count(*) as row_count
from {{ model }}
having count(*) <> 1
{% endtest %}
