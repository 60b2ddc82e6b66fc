-- The area under the account risk score's precision/recall curve as average precision: the sum
-- over thresholds, highest first, of the recall gained times the precision there (no
-- interpolation). Fraudulent accounts no signal scored cap the recall below 1 and so the area.
with curve as (
    select score_name, threshold, flagged_accounts, true_positive_accounts, fraudulent_accounts
    from {{ ref('mv_account_risk_pr_curve') }}
),

stepped as (
    select
        score_name as score_name,
        flagged_accounts as flagged_accounts,
        true_positive_accounts as true_positive_accounts,
        fraudulent_accounts as fraudulent_accounts,
        true_positive_accounts - coalesce(
            lag(true_positive_accounts) over (partition by score_name order by threshold desc), 0
        ) as gained_true_positives
    from curve
),

final as (
    select
        score_name as score_name,
        count(*) as thresholds,
        max(fraudulent_accounts) as fraudulent_accounts,
        max(true_positive_accounts) as scored_fraudulent_accounts,
        round(
            sum(
                cast(gained_true_positives as numeric)
                * cast(true_positive_accounts as numeric) / cast(flagged_accounts as numeric)
            ) / cast(nullif(max(fraudulent_accounts), 0) as numeric), 4
        ) as average_precision,
        round(
            cast(max(true_positive_accounts) as numeric)
            / cast(nullif(max(fraudulent_accounts), 0) as numeric), 4
        ) as max_recall
    from stepped
    group by score_name
)

select * from final
