-- One open case per account at high or critical risk: the account's latest case (int_case_signals),
-- so its id is the one the case got from its first detection and stays while the case is open.
-- A case an analyst closed leaves (mv_case_status); new activity opens a new case.
with risky_accounts as (
    select * from {{ ref('mv_account_risk_score_realtime') }}
    where risk_level in ('high', 'critical')
),

case_signals as (
    select account_id, case_opened_at from {{ ref('int_case_signals') }}
),

closed_cases as (
    select case_id from {{ ref('mv_case_status') }}
    where status = 'closed'
),

latest_cases as (
    select
        account_id as account_id,
        max(case_opened_at) as case_opened_at
    from case_signals
    group by account_id
),

cases as (
    select
        {{ case_id('risky_accounts.account_id', 'latest_cases.case_opened_at') }} as case_id,
        risky_accounts.account_id as account_id,
        risky_accounts.customer_id as customer_id,
        risky_accounts.risk_level as severity,
        risky_accounts.risk_score as risk_score,
        case
            when risky_accounts.risk_level = 'critical' and (
                risky_accounts.account_takeover_contribution > 0
                or risky_accounts.device_anomaly_contribution > 0
            ) then 'lock_online_banking_block_cards_and_call_customer'
            when risky_accounts.risk_level = 'critical' then 'block_cards_and_call_customer'
            when risky_accounts.structuring_contribution > 0 then 'refer_to_aml_investigation'
            when risky_accounts.cnp_spike_contribution > 0
                or risky_accounts.velocity_contribution > 0
                or risky_accounts.geo_impossible_contribution > 0
                then 'hold_card_and_verify_with_customer'
            else 'step_up_authentication_and_review'
        end as recommended_action,
        risky_accounts.reason_codes as reason_codes,
        latest_cases.case_opened_at as opened_at,
        risky_accounts.last_signal_at as updated_at
    from risky_accounts
    inner join latest_cases
        on risky_accounts.account_id = latest_cases.account_id
),

final as (
    select
        cases.case_id as case_id,
        cases.account_id as account_id,
        cases.customer_id as customer_id,
        cases.severity as severity,
        cases.risk_score as risk_score,
        cases.recommended_action as recommended_action,
        cases.reason_codes as reason_codes,
        cases.opened_at as opened_at,
        cases.updated_at as updated_at
    from cases
    left join closed_cases
        on cases.case_id = closed_cases.case_id
    where closed_cases.case_id is null
)

select * from final
