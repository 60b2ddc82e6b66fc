-- Structuring: an account reaching structuring_min_transactions transactions just under the
-- reporting threshold ([structuring_band_low_pct % of it, the threshold)) within
-- structuring_window_minutes. One row per near-threshold transaction that completes such a window:
-- the window is long, so a crossing-only rule would hide a second episode inside the first one's
-- window, and these transactions are few.
{%- set window = var('structuring_window_minutes') ~ ' minutes' %}
with near_threshold as (
    select event_id, event_time, customer_id, account_id, card_token, amount
    from {{ ref('int_transactions') }}
    where {{ structuring_band('amount') }}
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
    from near_threshold
),

final as (
    select
        'structuring:' || event_id as signal_id,
        'structuring' as signal_type,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        event_time as detected_at,
        window_first_event_at as first_event_at,
        cast(window_count as integer) as event_count,
        window_amount as total_amount,
        cast(window_count as varchar) || ' transactions just under the '
        || '{{ var("structuring_threshold") }} threshold within '
        || '{{ var("structuring_window_minutes") }} min on account ' || account_id as reason
    from windowed
    where
        window_count >= {{ var('structuring_min_transactions') }}
        and {{ within_retention('event_time') }}
)

select * from final
