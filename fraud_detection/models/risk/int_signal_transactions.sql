-- Which transactions make up each detection: (signal_id, signal_type, event_id). Login- and
-- alert-based signals (login_storm, correlated_alerts) involve no transaction.
with transactions as (
    select event_id, event_time, account_id, card_token, device_id, customer_id, amount,
        is_card_not_present
    from {{ ref('int_transactions') }}
),

velocity_alerts as (
    select signal_id, signal_type, account_id, first_event_at, detected_at
    from {{ ref('mv_velocity_alerts') }}
),

cnp_spikes as (
    select signal_id, signal_type, card_token, first_event_at, detected_at
    from {{ ref('mv_cnp_spike') }}
),

structuring_detections as (
    select signal_id, signal_type, account_id, first_event_at, detected_at
    from {{ ref('mv_structuring_detection') }}
),

geo_trips as (
    select signal_id, signal_type, from_event_id, to_event_id
    from {{ ref('mv_geo_impossible_trips') }}
),

device_anomalies as (
    select signal_id, signal_type, event_id from {{ ref('mv_device_anomalies') }}
),

takeovers as (
    select signal_id, signal_type, customer_id, device_id, login_at
    from {{ ref('mv_account_takeover') }}
),

velocity as (
    select
        signals.signal_id as signal_id,
        signals.signal_type as signal_type,
        transactions.event_id as event_id
    from velocity_alerts as signals
    inner join transactions
        on signals.account_id = transactions.account_id
        and transactions.event_time >= signals.first_event_at
        and transactions.event_time <= signals.detected_at
),

cnp_spike as (
    select
        signals.signal_id as signal_id,
        signals.signal_type as signal_type,
        transactions.event_id as event_id
    from cnp_spikes as signals
    inner join transactions
        on signals.card_token = transactions.card_token
        and transactions.is_card_not_present
        and transactions.event_time >= signals.first_event_at
        and transactions.event_time <= signals.detected_at
),

structuring as (
    select
        signals.signal_id as signal_id,
        signals.signal_type as signal_type,
        transactions.event_id as event_id
    from structuring_detections as signals
    inner join transactions
        on signals.account_id = transactions.account_id
        and transactions.amount
        >= {{ var('structuring_threshold') }} * {{ var('structuring_band_low_pct') }} / 100
        and transactions.amount < {{ var('structuring_threshold') }}
        and transactions.event_time >= signals.first_event_at
        and transactions.event_time <= signals.detected_at
),

geo_from as (
    select
        signal_id as signal_id,
        signal_type as signal_type,
        from_event_id as event_id
    from geo_trips
),

geo_to as (
    select
        signal_id as signal_id,
        signal_type as signal_type,
        to_event_id as event_id
    from geo_trips
),

device_anomaly as (
    select
        signal_id as signal_id,
        signal_type as signal_type,
        event_id as event_id
    from device_anomalies
),

account_takeover as (
    select
        signals.signal_id as signal_id,
        signals.signal_type as signal_type,
        transactions.event_id as event_id
    from takeovers as signals
    inner join transactions
        on signals.customer_id = transactions.customer_id
        and signals.device_id = transactions.device_id
        and transactions.is_card_not_present
        and transactions.amount >= {{ var('high_value_amount') }}
        and transactions.event_time >= signals.login_at
        and transactions.event_time
        <= signals.login_at + interval '{{ var("takeover_window_minutes") }} minutes'
),

final as (
    select * from velocity
    union all
    select * from cnp_spike
    union all
    select * from structuring
    union all
    select * from geo_from
    union all
    select * from geo_to
    union all
    select * from device_anomaly
    union all
    select * from account_takeover
)

select * from final
