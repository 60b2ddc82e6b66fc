-- Valid alerts raised by the bank's own monitoring systems.
with alerts as (
    select * from {{ ref('stg_alerts_checked') }}
    where rejection_reason is null
),

final as (
    select
        {{ aliased_columns(topic_columns('alerts', excluding=['description'])) }}
    from alerts
)

select * from final
