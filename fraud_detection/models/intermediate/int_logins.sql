-- Valid login attempts, flagged when the device is not registered in the customer's KYC profile.
with logins as (
    select * from {{ ref('stg_logins_checked') }}
    where rejection_reason is null
),

registered_devices as (
    select customer_id, device_id from {{ ref('int_registered_devices') }}
),

enriched as (
    select
        logins.event_id as event_id,
        logins.event_time as event_time,
        logins.customer_id as customer_id,
        logins.device_id as device_id,
        logins.ip_address as ip_address,
        logins.city as city,
        logins.country as country,
        logins.auth_method as auth_method,
        logins.success as success,
        logins.failure_reason as failure_reason,
        logins.profile_change as profile_change,
        logins.ingested_at as ingested_at,
        registered_devices.device_id is null as is_new_device
    from logins
    left join registered_devices
        on logins.customer_id = registered_devices.customer_id
        and logins.device_id = registered_devices.device_id
),

final as (
    select * from enriched
)

select * from final
