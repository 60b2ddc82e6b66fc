{#- What the windowed-count signals share (models/signals/). -#}

{#- The window over the events of one `partition_by` key in the `size` (e.g. '60 seconds') up to
    and including the current event: `count(*) {{ trailing_window(...) }}`. -#}
{% macro trailing_window(partition_by, size) -%}
over (
            partition by {{ partition_by }} order by event_time
            range between interval '{{ size }}' preceding
            and current row
        )
{%- endmacro %}

{#- The event whose window count reaches `threshold` while the one before it did not: one
    detection per crossing, not one per event while the burst lasts. -#}
{% macro crosses_threshold(count_column, previous_column, threshold) -%}
{{ count_column }} >= {{ threshold }}
        and coalesce({{ previous_column }}, 0) < {{ threshold }}
{%- endmacro %}
