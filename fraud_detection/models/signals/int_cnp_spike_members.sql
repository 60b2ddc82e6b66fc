-- The transactions that make up each card-testing detection: the card's card-not-present
-- transactions in its window.
with detections as (
    select signal_id, signal_type, card_token, first_event_at, detected_at
    from {{ ref('mv_cnp_spike') }}
),

cnp_transactions as (
    select event_id, event_time, card_token
    from {{ ref('int_transactions') }}
    where is_card_not_present
),

final as (
    select
        detections.signal_id as signal_id,
        detections.signal_type as signal_type,
        cnp_transactions.event_id as event_id
    from detections
    inner join cnp_transactions
        on {{ in_detection_window('detections', 'cnp_transactions', 'card_token') }}
)

select * from final
