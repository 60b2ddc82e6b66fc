-- Per channel: transactions, flagged transactions and flagged amount in retention.
with transactions as (
    select event_id, amount, channel from {{ ref('int_transactions') }}
    -- Over the span detections are visible for, so the flagged share of a row stays the same.
    where {{ within_retention('event_time') }}
),

flagged as (
    select event_id from {{ ref('mv_flagged_transactions') }}
),

marked as (
    select
        transactions.channel as channel,
        transactions.amount as amount,
        flagged.event_id is not null as is_flagged
    from transactions
    left join flagged
        on transactions.event_id = flagged.event_id
),

final as (
    select
        channel as channel,
        count(*) as transaction_count,
        count(*) filter (where is_flagged) as flagged_transaction_count,
        coalesce(sum(amount) filter (where is_flagged), 0) as flagged_amount
    from marked
    group by channel
)

select * from final
