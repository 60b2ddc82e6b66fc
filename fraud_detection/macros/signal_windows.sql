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

{#- The event's `columns` (default: its id, time, customer, account and card) and, over the
    trailing window of its `partition_by` key in `size`: window_count, window_amount (the sum
    of `amount`; none: left out) and window_first_event_at, after a `sums` column for each
    name: expression. The body of a windowed CTE over the relation `events`. -#}
{% macro trailing_totals(
    events, partition_by, size,
    columns=['event_id', 'event_time', 'customer_id', 'account_id', 'card_token'],
    amount='amount', sums={}
) -%}
select
        {{ aliased_columns(columns) }},
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

{#- The two CTEs a crossing detection reads: `name`_windowed, the trailing_totals of `events`
    (the arguments after `size` are trailing_totals'), then `name`, the same rows with
    previous_`crossed`: the `crossed` total of the event before in the partition (ties of
    event_time broken by event_id), which crosses_threshold compares. Window functions do not
    nest, hence two CTEs. The detection CTE that filters `name` stays in the model. -#}
{% macro threshold_crossings(
    name, events, partition_by, size,
    columns=['event_id', 'event_time', 'customer_id', 'account_id', 'card_token'],
    amount='amount', sums={}, crossed='window_count'
) -%}
{%- set totals = sums.keys() | list + ['window_count']
    + (['window_amount'] if amount is not none else []) + ['window_first_event_at'] -%}
{{ name }}_windowed as (
    {{ trailing_totals(events, partition_by, size, columns, amount, sums) }}
),

{{ name }} as (
    select
        {{ aliased_columns(columns + totals) }},
        lag({{ crossed }}) over (
            partition by {{ partition_by }} order by event_time, event_id
        ) as previous_{{ crossed }}
    from {{ name }}_windowed
)
{%- endmacro %}
