-- Valid ground-truth labels of honest look-alike episodes.
with labels as (
    select * from {{ ref('stg_lookalike_labels_checked') }}
    where rejection_reason is null
),

final as (
    select
        {{ aliased_columns(topic_columns('lookalike_labels', excluding=['ingested_at'])) }}
    from labels
)

select * from final
