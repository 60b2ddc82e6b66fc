{#- A detection at `detected_at` counts for a label when it falls in the label's window,
    [started_at, ended_at + label_match_grace_minutes]; `label` is the label relation's alias. -#}
{% macro in_label_window(detected_at, label) -%}
{{ detected_at }} >= {{ label }}.started_at
        and {{ detected_at }}
        <= {{ label }}.ended_at + interval '{{ var("label_match_grace_minutes") }} minutes'
{%- endmacro %}
