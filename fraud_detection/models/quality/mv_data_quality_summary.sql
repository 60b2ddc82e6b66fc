-- Rejected messages per topic and reason.
with rejected as (
    select topic, rejection_reason from {{ ref('mv_rejected_events') }}
),

final as (
    select
        topic as topic,
        rejection_reason as rejection_reason,
        count(*) as rejected_count
    from rejected
    group by topic, rejection_reason
)

select * from final
