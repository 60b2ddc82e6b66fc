{#- `column as column, ...` for each of `columns`, one a line at the select list's indentation: a
    model that ranks rows in one CTE and keeps the first in the next (a first delivery, a newest
    profile) lists its columns once, in a `set`, and both CTEs select them aliased (RisingWave
    wants every expression aliased). -#}
{% macro aliased_columns(columns) -%}
    {%- for column in columns -%}
        {{ column }} as {{ column }}{{ ",\n        " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
