-- Per topic: newest event time, newest ingestion time and message count in retention.
with ingested as (
    select topic, event_time, ingested_at from {{ ref('int_ingested_events') }}
),

final as (
    select
        topic as topic,
        max(event_time) as last_event_at,
        max(ingested_at) as last_ingested_at,
        count(*) as event_count
    from ingested
    group by topic
)

select * from final
