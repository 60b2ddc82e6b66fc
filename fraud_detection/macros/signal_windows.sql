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

{#- The columns a windowed CTE carries unless told otherwise: the event's id, time, customer,
    account and card. -#}
{% macro windowed_event_columns() -%}
{{ return(['event_id', 'event_time', 'customer_id', 'account_id', 'card_token']) }}
{%- endmacro %}

{#- The body of a windowed CTE: each row of `events` with its `columns` (none: the
    windowed_event_columns) and, over the trailing window of its `partition_by` key in `size`, a
    column for each `sums` name: summed expression, then window_count, window_amount (the sum of
    `amount`; none leaves it out) and window_first_event_at. -#}
{% macro trailing_totals(events, partition_by, size, columns=none, amount='amount', sums={}) -%}
select
        {{ aliased_columns(windowed_event_columns() if columns is none else columns) }},
        {%- for column, expression in sums.items() %}
        sum({{ expression }}) {{ trailing_window(partition_by, size) }} as {{ column }},
        {%- endfor %}
        count(*) {{ trailing_window(partition_by, size) }} as window_count,
        {%- if amount is not none %}
        sum({{ amount }}) {{ trailing_window(partition_by, size) }} as window_amount,
        {%- endif %}
        min(event_time) {{ trailing_window(partition_by, size) }} as window_first_event_at
    from {{ events }}
{%- endmacro %}

{#- The chain a crossing detection reads, as two CTEs (window functions do not nest):
    `name`_windowed, trailing_totals over `events` (with the arguments after `size`), then
    `name`, the same rows with previous_`crossed`: the `crossed` total of the event before in the
    partition (ties of event_time broken by event_id, so exactly one event crosses). The model's
    detection CTE filters `name` with crosses_threshold and says what it detected. -#}
{% macro threshold_crossings(
    name, events, partition_by, size, columns=none, amount='amount', sums={},
    crossed='window_count'
) -%}
{%- set carried = windowed_event_columns() if columns is none else columns -%}
{%- set totals = sums.keys() | list + ['window_count']
    + (['window_amount'] if amount is not none else []) + ['window_first_event_at'] -%}
{{ name }}_windowed as (
    {{ trailing_totals(events, partition_by, size, carried, amount, sums) }}
),

{{ name }} as (
    select
        {{ aliased_columns(carried + totals) }},
        lag({{ crossed }}) over (
            partition by {{ partition_by }} order by event_time, event_id
        ) as previous_{{ crossed }}
    from {{ name }}_windowed
)
{%- endmacro %}
