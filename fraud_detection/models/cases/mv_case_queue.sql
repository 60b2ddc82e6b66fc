-- The analysts' queue: every case in mv_open_fraud_cases with its analyst state (open when no
-- one acted on it yet), plus every case an analyst acted on that has left it, closed or not (its
-- signals aged out of retention): its newest decision says what it is, so a case once acted on
-- stays listable and actionable until closed, and readable after. A view on PostgreSQL so the
-- case service reads its own writes at once.
{{ config(materialized=('materialized_view' if target.type == 'risingwave' else 'view')) }}
with open_cases as (
    select
        case_id, account_id, customer_id, severity, risk_score, recommended_action,
        reason_codes, opened_at, updated_at
    from {{ ref('mv_open_fraud_cases') }}
),

case_status as (
    select
        case_id, account_id, severity, reason_codes, case_opened_at, status, assignee, outcome,
        last_decided_at
    from {{ ref('mv_case_status') }}
),

live as (
    select
        open_cases.case_id as case_id,
        open_cases.account_id as account_id,
        open_cases.customer_id as customer_id,
        open_cases.severity as severity,
        open_cases.risk_score as risk_score,
        open_cases.recommended_action as recommended_action,
        open_cases.reason_codes as reason_codes,
        open_cases.opened_at as opened_at,
        open_cases.updated_at as updated_at,
        coalesce(case_status.status, 'open') as status,
        case_status.assignee as assignee,
        case_status.outcome as outcome,
        case_status.last_decided_at as last_decided_at
    from open_cases
    left join case_status
        on open_cases.case_id = case_status.case_id
),

gone as (
    select
        case_status.case_id as case_id,
        case_status.account_id as account_id,
        cast(null as varchar) as customer_id,
        case_status.severity as severity,
        cast(null as numeric) as risk_score,
        cast(null as varchar) as recommended_action,
        case_status.reason_codes as reason_codes,
        case_status.case_opened_at as opened_at,
        case_status.last_decided_at as updated_at,
        case_status.status as status,
        case_status.assignee as assignee,
        case_status.outcome as outcome,
        case_status.last_decided_at as last_decided_at
    from case_status
    left join open_cases
        on case_status.case_id = open_cases.case_id
    where open_cases.case_id is null
),

final as (
    select * from live
    union all
    select * from gone
)

select * from final
