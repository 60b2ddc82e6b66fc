-- Valid model scores in input retention, one per transaction: the scorer may deliver a score
-- twice (a restart between publishing and committing), so the first delivery wins.
{% set score_columns = [
    'event_id',
    'event_time',
    'customer_id',
    'account_id',
    'card_token',
    'amount',
    'score',
    'anomaly_score',
    'model_version',
    'top_feature',
    'top_reasons',
    'ingested_at'
] -%}

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
        {{ aliased_columns(score_columns) }},
        row_number() over (
            partition by event_id order by ingested_at, model_version
        ) as delivery_rank
    from source_rows
),

final as (
    select
        {{ aliased_columns(score_columns) }}
    from ranked
    where delivery_rank <= 1
)

select * from final
