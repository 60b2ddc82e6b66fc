-- The transactions that make up each impossible trip: the one before and the one after.
with detections as (
    select signal_id, signal_type, from_event_id, to_event_id
    from {{ ref('mv_geo_impossible_trips') }}
),

trip_start as (
    select
        signal_id as signal_id,
        signal_type as signal_type,
        from_event_id as event_id
    from detections
),

trip_end as (
    select
        signal_id as signal_id,
        signal_type as signal_type,
        to_event_id as event_id
    from detections
),

final as (
    select * from trip_start
    union all
    select * from trip_end
)

select * from final
