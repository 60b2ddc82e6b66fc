-- Velocity: an account reaching velocity_min_transactions transactions within
-- velocity_window_seconds. One row per crossing of the threshold (the transaction that completed
-- the pattern), not one per transaction while the burst lasts.
{%- set window = var('velocity_window_seconds') ~ ' seconds' %}
with transactions as (
    select event_id, event_time, customer_id, account_id, card_token, amount
    from {{ ref('int_transactions') }}
),

windowed as (
    select
        event_id as event_id,
        event_time as event_time,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        count(*) {{ trailing_window('account_id', window) }} as window_count,
        sum(amount) {{ trailing_window('account_id', window) }} as window_amount,
        min(event_time) {{ trailing_window('account_id', window) }} as window_first_event_at
    from transactions
),

crossings as (
    select
        event_id as event_id,
        event_time as event_time,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        window_count as window_count,
        window_amount as window_amount,
        window_first_event_at as window_first_event_at,
        lag(window_count) over (
            partition by account_id order by event_time, event_id
        ) as previous_window_count
    from windowed
),

final as (
    select
        'velocity:' || event_id as signal_id,
        'velocity' as signal_type,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        event_time as detected_at,
        window_first_event_at as first_event_at,
        cast(window_count as integer) as event_count,
        window_amount as total_amount,
        cast(window_count as varchar) || ' transactions within '
        || '{{ var("velocity_window_seconds") }} s on account ' || account_id as reason
    from crossings
    where
        {{ crosses_threshold(
            'window_count', 'previous_window_count', var('velocity_min_transactions')
        ) }}
        and {{ within_retention('event_time') }}
)

select * from final
