-- Detections per minute (by detected_at) and signal type.
with signals as (
    select signal_id, signal_type, detected_at from {{ ref('mv_signals') }}
),

final as (
    select
        window_start as window_start,
        signal_type as signal_type,
        count(*) as signal_count
    from {{ tumble('signals', 'detected_at', '1 minute') }} as minute_windows
    group by window_start, signal_type
)

select * from final
