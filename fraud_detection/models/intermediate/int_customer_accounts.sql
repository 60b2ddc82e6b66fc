-- Each customer's primary account: where customer-level signals (logins, alerts) are scored.
with customers as (
    select customer_id, primary_account_id from {{ ref('int_customers') }}
),

final as (
    select
        customer_id as customer_id,
        primary_account_id as primary_account_id
    from customers
)

select * from final
