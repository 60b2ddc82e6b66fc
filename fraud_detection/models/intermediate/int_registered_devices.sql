-- One row per (customer, device) registered in the customer's current KYC profile.
with customers as (
    select customer_id, registered_device_ids from {{ ref('int_customers') }}
),

unnested as (
    select
        customer_id as customer_id,
        unnest(registered_device_ids) as device_id
    from customers
),

final as (
    select distinct
        customer_id as customer_id,
        device_id as device_id
    from unnested
    where device_id is not null
)

select * from final
