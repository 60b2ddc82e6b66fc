-- Every ground-truth label in input retention, with the reason it is unusable (NULL when valid).
with source_rows as (
    select * from {{ ref('src_fraud_labels') }}
    where {{ within_input_retention('ingested_at') }}
),

checked as (
    select
        {{ aliased_columns(topic_columns('fraud_labels')) }},
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
