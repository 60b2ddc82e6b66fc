-- Every KYC profile event, with the reason it is unusable (NULL when valid). No retention: a
-- profile is the customer's current state, not an event. Expiring it would turn the customer's
-- registered devices into new ones and raise device anomalies on honest spending. Profiles are
-- published when a customer is onboarded or changes, so this state grows slowly.
with source_rows as (
    select * from {{ ref('src_kyc_profiles') }}
),

checked as (
    select
        event_id as event_id,
        event_time as event_time,
        customer_id as customer_id,
        home_city as home_city,
        home_country as home_country,
        home_latitude as home_latitude,
        home_longitude as home_longitude,
        risk_tier as risk_tier,
        kyc_status as kyc_status,
        account_ids as account_ids,
        registered_device_ids as registered_device_ids,
        typical_spend as typical_spend,
        customer_since as customer_since,
        ingested_at as ingested_at,
        case
            when event_id is null or customer_id is null or account_ids is null then 'missing_id'
            when event_time is null then 'missing_event_time'
            when event_time > ingested_at + interval '{{ var("max_future_skew_minutes") }} minutes'
                then 'future_event_time'
            when risk_tier is null or risk_tier not in ('low', 'medium', 'high')
                then 'unknown_risk_tier'
            when home_latitude is null or home_longitude is null
                or home_latitude < -90 or home_latitude > 90
                or home_longitude < -180 or home_longitude > 180 then 'invalid_coordinates'
        end as rejection_reason
    from source_rows
),

final as (
    select * from checked
)

select * from final
