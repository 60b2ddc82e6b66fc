-- The transactions that make up each velocity detection: the account's transactions in its window.
with detections as (
    select signal_id, signal_type, account_id, first_event_at, detected_at
    from {{ ref('mv_velocity_alerts') }}
),

transactions as (
    select event_id, event_time, account_id from {{ ref('int_transactions') }}
),

final as (
    select
        detections.signal_id as signal_id,
        detections.signal_type as signal_type,
        transactions.event_id as event_id
    from detections
    inner join transactions
        on {{ in_detection_window('detections', 'transactions', 'account_id') }}
)

select * from final
