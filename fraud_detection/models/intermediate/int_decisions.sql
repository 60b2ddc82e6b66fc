-- Valid decisions of the decision service in input retention, one per event_id: the service
-- publishes each once (idempotent producer, event_id ledger), and a restart that decides an
-- event again keeps its first decision here too.
with source_rows as (
    select * from {{ ref('src_decisions') }}
    where
        {{ within_input_retention('ingested_at') }}
        and event_id is not null
        and decided_at is not null
        and outcome in ('approve', 'review', 'decline')
        and elapsed_ms >= 0
),

ranked as (
    select
        event_id as event_id,
        account_id as account_id,
        customer_id as customer_id,
        outcome as outcome,
        score as score,
        reason_codes as reason_codes,
        degraded as degraded,
        rules_version as rules_version,
        model_version as model_version,
        amount as amount,
        event_time as event_time,
        decided_at as decided_at,
        elapsed_ms as elapsed_ms,
        ingested_at as ingested_at,
        row_number() over (
            partition by event_id order by ingested_at, decided_at
        ) as delivery_rank
    from source_rows
),

final as (
    select
        event_id as event_id,
        account_id as account_id,
        customer_id as customer_id,
        outcome as outcome,
        score as score,
        reason_codes as reason_codes,
        degraded as degraded,
        rules_version as rules_version,
        model_version as model_version,
        amount as amount,
        event_time as event_time,
        decided_at as decided_at,
        elapsed_ms as elapsed_ms,
        ingested_at as ingested_at
    from ranked
    where delivery_rank <= 1
)

select * from final
