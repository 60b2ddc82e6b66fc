-- Every bank alert in input retention, with the reason it is unusable (NULL when valid).
with source_rows as (
    select * from {{ ref('src_alerts') }}
    where {{ within_input_retention('ingested_at') }}
),

checked as (
    select
        {{ aliased_columns(topic_columns('alerts')) }},
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
