-- Decisions per minute of decision time: how many, each outcome, the decline rate, how many were
-- degraded (the fallback decided), and the service's own decision time (p50, p99).
with decisions as (
    select event_id, outcome, degraded, decided_at, elapsed_ms
    from {{ ref('int_decisions') }}
    where {{ within_retention('decided_at') }}
),

final as (
    select
        window_start as window_start,
        count(*) as decisions,
        count(*) filter (where outcome = 'approve') as approved,
        count(*) filter (where outcome = 'review') as reviewed,
        count(*) filter (where outcome = 'decline') as declined,
        count(*) filter (where degraded) as degraded,
        round(
            100.0 * count(*) filter (where outcome = 'decline') / count(*), 2
        ) as decline_rate_pct,
        cast({{ median('elapsed_ms') }} as double precision) as elapsed_p50_ms,
        cast(
            percentile_cont(0.99) within group (order by elapsed_ms) as double precision
        ) as elapsed_p99_ms
    from {{ tumble('decisions', 'decided_at', '1 minute') }} as minute_windows
    group by window_start
)

select * from final
