-- Accounts at critical risk, and those of them whose customer no fraud label names: critical
-- without injected fraud (the honest accounts the rules would have a bank call).
with critical_accounts as (
    select account_id, customer_id from {{ ref('mv_account_risk_score_realtime') }}
    where risk_level = 'critical'
),

labelled_customers as (
    select customer_id from {{ ref('int_fraud_labels') }}
    group by customer_id
),

judged as (
    select
        critical_accounts.account_id as account_id,
        labelled_customers.customer_id is not null as carries_fraud
    from critical_accounts
    left join labelled_customers
        on critical_accounts.customer_id = labelled_customers.customer_id
),

final as (
    select
        count(*) as critical_accounts,
        count(*) filter (where not carries_fraud) as critical_accounts_without_fraud
    from judged
)

select * from final
