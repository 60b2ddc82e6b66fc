-- Valid decisions of the decision service in input retention, one per event_id: the service
-- publishes each once (idempotent producer, event_id ledger), and a restart that decides an
-- event again keeps its first decision here too.
{% set decision_columns = [
    'event_id',
    'account_id',
    'customer_id',
    'outcome',
    'score',
    'reason_codes',
    'open_case_id',
    'degraded',
    'rules_version',
    'model_version',
    'amount',
    'event_time',
    'decided_at',
    'elapsed_ms',
    'ingested_at'
] -%}

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
        {{ aliased_columns(decision_columns) }},
        row_number() over (
            partition by event_id order by ingested_at, decided_at
        ) as delivery_rank
    from source_rows
),

final as (
    select
        {{ aliased_columns(decision_columns) }}
    from ranked
    where delivery_rank <= 1
)

select * from final
