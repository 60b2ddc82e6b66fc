-- Every bank alert in input retention, with the reason it is unusable (NULL when valid).
with source_rows as (
    select * from {{ ref('src_alerts') }}
    where {{ within_input_retention('ingested_at') }}
),

checked as (
    select
        event_id as event_id,
        event_time as event_time,
        customer_id as customer_id,
        account_id as account_id,
        alert_type as alert_type,
        severity as severity,
        source_system as source_system,
        description as description,
        ingested_at as ingested_at,
        case
            when event_id is null or customer_id is null then 'missing_id'
            {{ reject_bad_event_time() }}
            when alert_type is null or alert_type not in (
                'velocity', 'geo_anomaly', 'new_device', 'card_testing', 'login_failures',
                'large_transfer', 'high_value_cnp', 'merchant_risk'
            ) then 'unknown_alert_type'
            when severity is null or severity not in ('low', 'medium', 'high')
                then 'unknown_severity'
        end as rejection_reason
    from source_rows
),

final as (
    select * from checked
)

select * from final
