-- Every ground-truth label in input retention, with the reason it is unusable (NULL when valid).
with source_rows as (
    select * from {{ ref('src_fraud_labels') }}
    where {{ within_input_retention('ingested_at') }}
),

checked as (
    select
        instance_id as instance_id,
        scenario as scenario,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        event_ids as event_ids,
        started_at as started_at,
        ended_at as ended_at,
        is_evasive as is_evasive,
        variant as variant,
        ingested_at as ingested_at,
        case
            when instance_id is null or customer_id is null then 'missing_id'
            when started_at is null or ended_at is null then 'missing_event_time'
            when scenario is null or scenario not in (
                {{ contract_strings('scenarios') }}
            ) then 'unknown_scenario'
        end as rejection_reason
    from source_rows
),

final as (
    select * from checked
)

select * from final
