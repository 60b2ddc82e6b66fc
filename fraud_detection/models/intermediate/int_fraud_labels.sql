-- Valid ground-truth labels of injected scenario instances.
with labels as (
    select * from {{ ref('stg_fraud_labels_checked') }}
    where rejection_reason is null
),

final as (
    select
        instance_id as instance_id,
        scenario as scenario,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        event_ids as event_ids,
        started_at as started_at,
        ended_at as ended_at,
        -- Labels from before the evasion contract carry no flag: they are not evasive.
        coalesce(is_evasive, false) as is_evasive,
        variant as variant
    from labels
)

select * from final
