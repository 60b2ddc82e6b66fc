-- The transactions that make up each structuring detection: the account's transactions in the
-- structuring band within its window.
with detections as (
    select signal_id, signal_type, account_id, first_event_at, detected_at
    from {{ ref('mv_structuring_detection') }}
),

near_threshold as (
    select event_id, event_time, account_id
    from {{ ref('int_transactions') }}
    where {{ structuring_band('amount') }}
),

final as (
    select
        detections.signal_id as signal_id,
        detections.signal_type as signal_type,
        near_threshold.event_id as event_id
    from detections
    inner join near_threshold
        on {{ in_detection_window('detections', 'near_threshold', 'account_id') }}
)

select * from final
