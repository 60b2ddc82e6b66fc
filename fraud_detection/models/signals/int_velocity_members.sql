-- The transactions that make up each velocity detection: the account's transactions in its window
-- (a sustained detection: those on velocity_sustained_channels).
{%- set sustained_channels = var('velocity_sustained_channels') %}
with detections as (
    select signal_id, signal_type, account_id, first_event_at, detected_at, detection_path
    from {{ ref('mv_velocity_alerts') }}
),

transactions as (
    select event_id, event_time, account_id, channel from {{ ref('int_transactions') }}
),

final as (
    select
        detections.signal_id as signal_id,
        detections.signal_type as signal_type,
        transactions.event_id as event_id
    from detections
    inner join transactions
        on {{ in_detection_window('detections', 'transactions', 'account_id') }}
        {%- if sustained_channels is not none %}
        and (
            detections.detection_path = 'burst'
            or transactions.channel in ({{ sql_strings(sustained_channels) }})
        )
        {%- endif %}
)

select * from final
