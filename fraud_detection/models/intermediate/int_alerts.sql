-- Valid alerts raised by the bank's own monitoring systems.
with alerts as (
    select * from {{ ref('stg_alerts_checked') }}
    where rejection_reason is null
),

final as (
    select
        event_id as event_id,
        event_time as event_time,
        customer_id as customer_id,
        account_id as account_id,
        alert_type as alert_type,
        severity as severity,
        source_system as source_system,
        ingested_at as ingested_at
    from alerts
)

select * from final
