-- The accounts the ground truth names as defrauded: a fraud label's account, or, for a label
-- without one (customer-level scenarios), the customer's primary account, where customer-level
-- signals are scored.
with labels as (
    select instance_id, customer_id, account_id from {{ ref('int_fraud_labels') }}
),

customer_accounts as (
    select customer_id, primary_account_id from {{ ref('int_customer_accounts') }}
),

named as (
    select
        labels.instance_id as instance_id,
        labels.customer_id as customer_id,
        coalesce(labels.account_id, customer_accounts.primary_account_id) as account_id
    from labels
    left join customer_accounts
        on labels.customer_id = customer_accounts.customer_id
),

final as (
    select
        account_id as account_id,
        min(customer_id) as customer_id,
        count(*) as fraud_instances
    from named
    where account_id is not null
    group by account_id
)

select * from final
