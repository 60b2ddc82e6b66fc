-- How much work the rules make: detections and open cases (high and critical) per 1,000 valid
-- transactions in retention, and the cases on accounts the ground truth does not name.
with transactions as (
    select
        'transaction' as item_kind,
        cast(null as varchar) as severity,
        cast(null as boolean) as carries_fraud
    from {{ ref('int_transactions') }}
),

detections as (
    select
        'detection' as item_kind,
        cast(null as varchar) as severity,
        cast(null as boolean) as carries_fraud
    from {{ ref('mv_signals') }}
),

fraudulent_accounts as (
    select account_id from {{ ref('int_fraudulent_accounts') }}
),

cases as (
    select
        'case' as item_kind,
        open_cases.severity as severity,
        fraudulent_accounts.account_id is not null as carries_fraud
    from {{ ref('mv_open_fraud_cases') }} as open_cases
    left join fraudulent_accounts
        on open_cases.account_id = fraudulent_accounts.account_id
),

items as (
    select * from transactions
    union all
    select * from detections
    union all
    select * from cases
),

counted as (
    select
        count(*) filter (where item_kind = 'transaction') as transactions,
        count(*) filter (where item_kind = 'detection') as detections,
        count(*) filter (where item_kind = 'case') as cases,
        count(*) filter (where item_kind = 'case' and severity = 'critical') as critical_cases,
        count(*) filter (where item_kind = 'case' and not carries_fraud) as cases_without_fraud
    from items
),

final as (
    select
        transactions as transactions,
        detections as detections,
        cases as cases,
        critical_cases as critical_cases,
        cases_without_fraud as cases_without_fraud,
        round(
            1000 * cast(detections as numeric) / cast(nullif(transactions, 0) as numeric), 3
        ) as detections_per_1000_transactions,
        round(
            1000 * cast(cases as numeric) / cast(nullif(transactions, 0) as numeric), 3
        ) as cases_per_1000_transactions,
        round(
            1000 * cast(critical_cases as numeric) / cast(nullif(transactions, 0) as numeric), 3
        ) as critical_cases_per_1000_transactions,
        round(
            1000 * cast(cases_without_fraud as numeric)
            / cast(nullif(transactions, 0) as numeric), 3
        ) as cases_without_fraud_per_1000_transactions
    from counted
)

select * from final
