-- Valid model scores in input retention, one per transaction: the scorer may deliver a score
-- twice (a restart between publishing and committing), so the first delivery wins.
with source_rows as (
    select * from {{ ref('src_ml_scores') }}
    where
        {{ within_input_retention('ingested_at') }}
        and event_id is not null
        and customer_id is not null
        and event_time is not null
        and score is not null
        and score >= 0
        and score <= 1
),

ranked as (
    select
        event_id as event_id,
        event_time as event_time,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        amount as amount,
        score as score,
        anomaly_score as anomaly_score,
        model_version as model_version,
        top_feature as top_feature,
        ingested_at as ingested_at,
        row_number() over (
            partition by event_id order by ingested_at, model_version
        ) as delivery_rank
    from source_rows
),

final as (
    select
        event_id as event_id,
        event_time as event_time,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        amount as amount,
        score as score,
        anomaly_score as anomaly_score,
        model_version as model_version,
        top_feature as top_feature,
        ingested_at as ingested_at
    from ranked
    where delivery_rank <= 1
)

select * from final
