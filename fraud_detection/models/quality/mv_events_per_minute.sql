-- Consumed messages per minute of ingestion time and topic (valid and rejected alike).
with ingested as (
    select topic, ingested_at from {{ ref('int_ingested_events') }}
),

final as (
    select
        window_start as window_start,
        topic as topic,
        count(*) as event_count
    from {{ tumble('ingested', 'ingested_at', '1 minute') }} as minute_windows
    group by window_start, topic
)

select * from final
