-- Valid ground-truth labels of injected scenario instances.
with labels as (
    select * from {{ ref('stg_fraud_labels_checked') }}
    where rejection_reason is null
),

final as (
    select
        -- Labels from before the evasion contract carry no evasion flag: they are not evasive.
        {{ aliased_columns(
            topic_columns('fraud_labels', excluding=['ingested_at']),
            expressions={'is_evasive': 'coalesce(is_evasive, false)'}
        ) }}
    from labels
)

select * from final
