-- One row per consumed message that no signal may use, with the reason.
with ingested as (
    select topic, event_id, rejection_reason, ingested_at
    from {{ ref('int_ingested_events') }}
    where rejection_reason is not null
),

final as (
    select
        topic as topic,
        event_id as event_id,
        rejection_reason as rejection_reason,
        ingested_at as ingested_at
    from ingested
)

select * from final
