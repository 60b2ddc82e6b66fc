-- Device anomaly: a high-value (>= high_value_amount) card-not-present transaction from a device
-- that is not registered in the customer's KYC profile. One row per such transaction.
with suspicious as (
    select event_id, event_time, customer_id, account_id, card_token, amount, device_id
    from {{ ref('int_transactions') }}
    where
        is_card_not_present
        and is_new_device
        and amount >= {{ var('high_value_amount') }}
),

final as (
    select
        'device_anomaly:' || event_id as signal_id,
        'device_anomaly' as signal_type,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        event_time as detected_at,
        event_time as first_event_at,
        1 as event_count,
        amount as total_amount,
        'card-not-present ' || cast(amount as varchar) || ' from unregistered device '
        || device_id as reason,
        device_id as device_id,
        event_id as event_id
    from suspicious
    where {{ within_retention('event_time') }}
)

select * from final
