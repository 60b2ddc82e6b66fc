-- Every transaction in input retention, typed, with the reason it is unusable (NULL if valid).
with source_rows as (
    select * from {{ ref('src_transactions') }}
    where {{ within_input_retention('ingested_at') }}
),

checked as (
    select
        {{ aliased_columns(topic_columns('transactions')) }},
        case
            when event_id is null or customer_id is null or account_id is null
                or merchant_id is null then 'missing_id'
            {{ reject_bad_event_time() }}
            when amount is null or amount <= 0 then 'invalid_amount'
            when channel is null
                or channel not in ({{ contract_strings('channels') }})
                then 'unknown_channel'
            when status is null or status not in ('approved', 'declined') then 'unknown_status'
            {{ reject_bad_coordinates('latitude', 'longitude') }}
        end as rejection_reason
    from source_rows
),

final as (
    select * from checked
)

select * from final
