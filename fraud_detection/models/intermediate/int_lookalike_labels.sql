-- Valid ground-truth labels of honest look-alike episodes.
with labels as (
    select * from {{ ref('stg_lookalike_labels_checked') }}
    where rejection_reason is null
),

final as (
    select
        episode_id as episode_id,
        kind as kind,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        event_ids as event_ids,
        started_at as started_at,
        ended_at as ended_at
    from labels
)

select * from final
