-- Valid login attempts, flagged when the device is not registered by a KYC profile of the customer
-- at the login's event time (int_registered_devices): a later enrolment leaves the login new.
with logins as (
    select * from {{ ref('stg_logins_checked') }}
    where rejection_reason is null
),

registered_devices as (
    select customer_id, device_id, registered_at from {{ ref('int_registered_devices') }}
),

enriched as (
    select
        {{ aliased_columns(
            topic_columns('logins', excluding=['latitude', 'longitude']),
            relation='logins'
        ) }},
        registered_devices.device_id is null as is_new_device
    from logins
    left join registered_devices
        on logins.customer_id = registered_devices.customer_id
        and logins.device_id = registered_devices.device_id
        and registered_devices.registered_at <= logins.event_time
),

final as (
    select * from enriched
)

select * from final
