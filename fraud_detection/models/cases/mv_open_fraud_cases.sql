-- One open case per account at high or critical risk. The case id is the account plus the time
-- of its first signal in retention, so it stays the same while the case is open.
with risky_accounts as (
    select * from {{ ref('mv_account_risk_score_realtime') }}
    where risk_level in ('high', 'critical')
),

final as (
    select
        'case_' || account_id || '_'
        || cast(cast(extract(epoch from first_signal_at) as bigint) as varchar) as case_id,
        account_id as account_id,
        customer_id as customer_id,
        risk_level as severity,
        risk_score as risk_score,
        case
            when risk_level = 'critical' and (
                account_takeover_contribution > 0 or device_anomaly_contribution > 0
            ) then 'lock_online_banking_block_cards_and_call_customer'
            when risk_level = 'critical' then 'block_cards_and_call_customer'
            when structuring_contribution > 0 then 'refer_to_aml_investigation'
            when cnp_spike_contribution > 0 or velocity_contribution > 0
                or geo_impossible_contribution > 0 then 'hold_card_and_verify_with_customer'
            else 'step_up_authentication_and_review'
        end as recommended_action,
        reason_codes as reason_codes,
        first_signal_at as opened_at,
        last_signal_at as updated_at
    from risky_accounts
)

select * from final
