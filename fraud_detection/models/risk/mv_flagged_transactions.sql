-- One row per transaction that is part of at least one detection, with the signal types.
with memberships as (
    select distinct
        event_id as event_id,
        signal_type as signal_type
    from {{ ref('int_signal_transactions') }}
),

per_transaction as (
    select
        event_id as event_id,
        string_agg(signal_type, ',' order by signal_type) as signal_types
    from memberships
    group by event_id
),

transactions as (
    select event_id, account_id, customer_id, amount, channel, merchant_id, event_time
    from {{ ref('int_transactions') }}
),

final as (
    select
        transactions.event_id as event_id,
        transactions.account_id as account_id,
        transactions.customer_id as customer_id,
        transactions.amount as amount,
        transactions.channel as channel,
        transactions.merchant_id as merchant_id,
        transactions.event_time as event_time,
        per_transaction.signal_types as signal_types
    from per_transaction
    inner join transactions
        on per_transaction.event_id = transactions.event_id
)

select * from final
