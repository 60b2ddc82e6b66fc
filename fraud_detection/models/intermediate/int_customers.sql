-- The current KYC profile of each customer (the newest valid profile event).
with profiles as (
    select * from {{ ref('stg_kyc_profiles_checked') }}
    where rejection_reason is null
),

ranked as (
    select
        customer_id as customer_id,
        account_ids[1] as primary_account_id,
        home_city as home_city,
        home_country as home_country,
        home_latitude as home_latitude,
        home_longitude as home_longitude,
        risk_tier as risk_tier,
        kyc_status as kyc_status,
        registered_device_ids as registered_device_ids,
        typical_spend as typical_spend,
        customer_since as customer_since,
        event_time as profile_updated_at,
        row_number() over (
            partition by customer_id order by event_time desc, event_id desc
        ) as profile_rank
    from profiles
),

final as (
    select
        customer_id as customer_id,
        primary_account_id as primary_account_id,
        home_city as home_city,
        home_country as home_country,
        home_latitude as home_latitude,
        home_longitude as home_longitude,
        risk_tier as risk_tier,
        kyc_status as kyc_status,
        registered_device_ids as registered_device_ids,
        typical_spend as typical_spend,
        customer_since as customer_since,
        profile_updated_at as profile_updated_at
    from ranked
    where profile_rank <= 1
)

select * from final
