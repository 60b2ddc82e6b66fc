-- The transactions that make up each structuring detection, by its detection path: the
-- account's transactions in the structuring band (band), its transfers at a safe margin
-- (cumulative) or its transfers with a counterparty (fan_in), within the detection's window.
-- A path's CTE is exempt from ST03: sqlfluff renders each `if` apart and misses that the CTE
-- and its branch of `final` share one condition.
{%- set cumulative_on = var('structuring_cumulative_window_minutes', none) is not none %}
{%- set fan_in_on = var('structuring_fan_in_window_minutes', none) is not none %}
with detections as (
    select signal_id, signal_type, account_id, first_event_at, detected_at, detection_path
    from {{ ref('mv_structuring_detection') }}
),

near_threshold as (
    select event_id, event_time, account_id
    from {{ ref('int_transactions') }}
    where {{ structuring_band('amount') }}
),

band as (
    select
        detections.signal_id as signal_id,
        detections.signal_type as signal_type,
        near_threshold.event_id as event_id
    from detections
    inner join near_threshold
        on {{ in_detection_window('detections', 'near_threshold', 'account_id') }}
    where detections.detection_path = 'band'
),
{%- if cumulative_on %}

safe_margin_transfers as (
    select event_id, event_time, account_id
    from {{ ref('int_transactions') }}
    where {{ structuring_safe_margin('amount') }}
),

cumulative as (  -- noqa: ST03
    select
        detections.signal_id as signal_id,
        detections.signal_type as signal_type,
        safe_margin_transfers.event_id as event_id
    from detections
    inner join safe_margin_transfers
        on {{ in_detection_window('detections', 'safe_margin_transfers', 'account_id') }}
    where detections.detection_path = 'cumulative'
),
{%- endif %}
{%- if fan_in_on %}

fan_in_transfers as (
    select event_id, event_time, account_id
    from {{ ref('int_transactions') }}
    where {{ structuring_fan_in_transfer() }}
),

fan_in as (  -- noqa: ST03
    select
        detections.signal_id as signal_id,
        detections.signal_type as signal_type,
        fan_in_transfers.event_id as event_id
    from detections
    inner join fan_in_transfers
        on {{ in_detection_window('detections', 'fan_in_transfers', 'account_id') }}
    where detections.detection_path = 'fan_in'
),
{%- endif %}

final as (
    select * from band
    {%- if cumulative_on %}
    union all
    select * from cumulative
    {%- endif %}
    {%- if fan_in_on %}
    union all
    select * from fan_in
    {%- endif %}
)

select * from final
