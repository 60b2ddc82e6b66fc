-- Per minute of event time: transactions, flagged transactions, amounts and detections.
with transactions as (
    select event_id, event_time, amount from {{ ref('int_transactions') }}
    -- Over the span detections are visible for, so the flagged share of a row stays the same.
    where {{ within_retention('event_time') }}
),

flagged as (
    select event_id from {{ ref('mv_flagged_transactions') }}
),

signal_minutes as (
    select window_start, signal_count from {{ ref('mv_signals_per_minute') }}
),

marked as (
    select
        transactions.event_id as event_id,
        transactions.event_time as event_time,
        transactions.amount as amount,
        flagged.event_id is not null as is_flagged
    from transactions
    left join flagged
        on transactions.event_id = flagged.event_id
),

per_minute as (
    select
        window_start as window_start,
        window_end as window_end,
        count(*) as transaction_count,
        count(*) filter (where is_flagged) as flagged_transaction_count,
        sum(amount) as total_amount,
        coalesce(sum(amount) filter (where is_flagged), 0) as flagged_amount
    from {{ tumble('marked', 'event_time', '1 minute') }} as minute_windows
    group by window_start, window_end
),

signals_per_minute as (
    select
        window_start as window_start,
        sum(signal_count) as signal_count
    from signal_minutes
    group by window_start
),

final as (
    select
        per_minute.window_start as window_start,
        per_minute.window_end as window_end,
        per_minute.transaction_count as transaction_count,
        per_minute.flagged_transaction_count as flagged_transaction_count,
        round(
            100 * cast(per_minute.flagged_transaction_count as numeric)
            / cast(per_minute.transaction_count as numeric), 2
        ) as fraud_rate_pct,
        per_minute.total_amount as total_amount,
        per_minute.flagged_amount as flagged_amount,
        coalesce(signals_per_minute.signal_count, 0) as signal_count
    from per_minute
    left join signals_per_minute
        on per_minute.window_start = signals_per_minute.window_start
)

select * from final
