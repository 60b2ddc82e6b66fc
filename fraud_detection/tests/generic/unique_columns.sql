{#- A key of several columns: no two rows share the values of `columns`. -#}
{% test unique_columns(model, columns) %}
select
    {%- for column in columns %}
    {{ column }} as {{ column }},
    {%- endfor %}
    count(*) as rows_sharing_the_key
from {{ model }}
group by {% for column in columns %}{{ column }}{{ ", " if not loop.last }}{% endfor %}
having count(*) > 1
{% endtest %}
