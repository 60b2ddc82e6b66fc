-- The precision/recall curve of the account risk score: one point per distinct score, flagging
-- every account at or above it. An account is fraudulent when the ground truth names it
-- (int_fraudulent_accounts); recall counts fraudulent accounts that no signal scored as missed.
with risk as (
    select account_id, risk_score from {{ ref('mv_account_risk_score_realtime') }}
),

fraudulent_accounts as (
    select account_id from {{ ref('int_fraudulent_accounts') }}
),

scored as (
    select
        'account_risk_score' as score_name,
        risk.risk_score as risk_score,
        fraudulent_accounts.account_id is not null as is_fraudulent
    from risk
    left join fraudulent_accounts
        on risk.account_id = fraudulent_accounts.account_id
),

per_threshold as (
    select
        score_name as score_name,
        risk_score as threshold,
        count(*) as accounts_at_threshold,
        count(*) filter (where is_fraudulent) as fraudulent_at_threshold
    from scored
    group by score_name, risk_score
),

cumulative as (
    select
        score_name as score_name,
        threshold as threshold,
        sum(accounts_at_threshold) over (
            partition by score_name order by threshold desc
            rows between unbounded preceding and current row
        ) as flagged_accounts,
        sum(fraudulent_at_threshold) over (
            partition by score_name order by threshold desc
            rows between unbounded preceding and current row
        ) as true_positive_accounts
    from per_threshold
),

tagged_positives as (
    select 'account_risk_score' as score_name from fraudulent_accounts
),

positives as (
    select
        score_name as score_name,
        count(*) as fraudulent_accounts
    from tagged_positives
    group by score_name
),

final as (
    select
        cumulative.score_name as score_name,
        cumulative.threshold as threshold,
        cast(cumulative.flagged_accounts as bigint) as flagged_accounts,
        cast(cumulative.true_positive_accounts as bigint) as true_positive_accounts,
        coalesce(positives.fraudulent_accounts, 0) as fraudulent_accounts,
        round(
            cast(cumulative.true_positive_accounts as numeric)
            / cast(cumulative.flagged_accounts as numeric), 4
        ) as precision,
        round(
            cast(cumulative.true_positive_accounts as numeric)
            / cast(nullif(positives.fraudulent_accounts, 0) as numeric), 4
        ) as recall
    from cumulative
    left join positives
        on cumulative.score_name = positives.score_name
)

select * from final
