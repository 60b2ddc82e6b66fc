-- One row per (customer, device) that a valid KYC profile of the customer has listed, with
-- registered_at: the earliest profile event time listing it. An event counts the device as
-- registered only from that moment on (int_transactions, int_logins), so a profile that later
-- enrols a device never changes what was true of the customer's earlier events. A device that a
-- later profile no longer lists stays registered: removal is ignored (no producer removes one),
-- which would miss a new-device detection on a device the bank had deregistered.
with profiles as (
    select customer_id, event_time, registered_device_ids
    from {{ ref('stg_kyc_profiles_checked') }}
    where rejection_reason is null
),

listed as (
    select
        customer_id as customer_id,
        event_time as event_time,
        unnest(registered_device_ids) as device_id
    from profiles
),

final as (
    select
        customer_id as customer_id,
        device_id as device_id,
        min(event_time) as registered_at
    from listed
    where device_id is not null
    group by customer_id, device_id
)

select * from final
