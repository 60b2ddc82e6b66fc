-- The transactions that make up each account takeover: the high-value card-not-present spending
-- that followed its new-device login.
with detections as (
    select signal_id, signal_type, customer_id, device_id, login_at
    from {{ ref('mv_account_takeover') }}
),

high_value_cnp as (
    select event_id, event_time, customer_id, device_id
    from {{ ref('int_transactions') }}
    where {{ takeover_spend() }}
),

final as (
    select
        detections.signal_id as signal_id,
        detections.signal_type as signal_type,
        high_value_cnp.event_id as event_id
    from detections
    inner join high_value_cnp
        on {{ takeover_follows_login('detections', 'detections.login_at', 'high_value_cnp') }}
)

select * from final
