-- The transaction that makes up each device anomaly: the one made from the unknown device.
with final as (
    select
        signal_id as signal_id,
        signal_type as signal_type,
        event_id as event_id
    from {{ ref('mv_device_anomalies') }}
)

select * from final
