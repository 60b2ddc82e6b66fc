-- ML anomaly: the champion model scored a transaction at or above ml_anomaly_threshold. One row
-- per such transaction; the score is a fact of its transaction (detected at its event time).
with scores as (
    select event_id, event_time, customer_id, account_id, card_token, amount, score,
        model_version, top_feature
    from {{ ref('int_ml_scores') }}
    where score >= {{ var('ml_anomaly_threshold') }}
),

final as (
    select
        'ml_anomaly:' || event_id as signal_id,
        'ml_anomaly' as signal_type,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        event_time as detected_at,
        event_time as first_event_at,
        1 as event_count,
        cast(amount as numeric) as total_amount,
        'model ' || model_version || ' scored ' || cast(round(cast(score as numeric), 3) as varchar)
        || ' (top feature ' || coalesce(top_feature, 'none') || ')' as reason,
        event_id as event_id,
        score as score,
        model_version as model_version
    from scores
    where {{ within_retention('event_time') }}
)

select * from final
