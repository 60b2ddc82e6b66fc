-- Every look-alike label in retention, with the reason it is unusable (NULL when valid).
with source_rows as (
    select * from {{ ref('src_lookalike_labels') }}
    where {{ within_input_retention('ingested_at') }}
),

checked as (
    select
        {{ aliased_columns(topic_columns('lookalike_labels')) }},
        case
            when episode_id is null or customer_id is null then 'missing_id'
            when started_at is null or ended_at is null then 'missing_event_time'
            when kind is null or kind not in (
                'remote_merchant', 'trip_abroad', 'shopping_spree', 'split_checkout',
                'subscription_renewals', 'forgotten_password', 'cash_business_deposits',
                'new_phone_purchase', 'household_two_cities', 'vpn_shopper', 'bill_run',
                'cash_deposit_day'
            ) then 'unknown_kind'
        end as rejection_reason
    from source_rows
),

final as (
    select * from checked
)

select * from final
