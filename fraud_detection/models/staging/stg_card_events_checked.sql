-- Every card lifecycle event in input retention, with the reason it is unusable (NULL when valid).
with source_rows as (
    select * from {{ ref('src_card_events') }}
    where {{ within_input_retention('ingested_at') }}
),

checked as (
    select
        {{ aliased_columns(topic_columns('card_events')) }},
        case
            when event_id is null or customer_id is null or account_id is null
                or card_token is null then 'missing_id'
            {{ reject_bad_event_time() }}
            when event_type is null or event_type not in (
                'issued', 'activated', 'pin_changed', 'limit_changed', 'blocked', 'unblocked',
                'replaced'
            ) then 'unknown_event_type'
        end as rejection_reason
    from source_rows
),

final as (
    select * from checked
)

select * from final
