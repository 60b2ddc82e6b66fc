-- Card testing: a card reaching cnp_spike_min_transactions card-not-present transactions within
-- cnp_spike_window_minutes. One row per crossing of the threshold.
{%- set window = var('cnp_spike_window_minutes') ~ ' minutes' %}
with cnp_transactions as (
    select event_id, event_time, customer_id, account_id, card_token, amount
    from {{ ref('int_transactions') }}
    where is_card_not_present
),

windowed as (
    select
        event_id as event_id,
        event_time as event_time,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        count(*) {{ trailing_window('card_token', window) }} as window_count,
        sum(amount) {{ trailing_window('card_token', window) }} as window_amount,
        min(event_time) {{ trailing_window('card_token', window) }} as window_first_event_at
    from cnp_transactions
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
            partition by card_token order by event_time, event_id
        ) as previous_window_count
    from windowed
),

final as (
    select
        'cnp_spike:' || event_id as signal_id,
        'cnp_spike' as signal_type,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        event_time as detected_at,
        window_first_event_at as first_event_at,
        cast(window_count as integer) as event_count,
        window_amount as total_amount,
        cast(window_count as varchar) || ' card-not-present transactions within '
        || '{{ var("cnp_spike_window_minutes") }} min on card ' || card_token as reason
    from crossings
    where
        {{ crosses_threshold(
            'window_count', 'previous_window_count', var('cnp_spike_min_transactions')
        ) }}
        and {{ within_retention('event_time') }}
)

select * from final
