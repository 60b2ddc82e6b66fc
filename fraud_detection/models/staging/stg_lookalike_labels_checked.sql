-- Every look-alike label in retention, with the reason it is unusable (NULL when valid).
with source_rows as (
    select * from {{ ref('src_lookalike_labels') }}
    where {{ within_input_retention('ingested_at') }}
),

checked as (
    select
        episode_id as episode_id,
        kind as kind,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        event_ids as event_ids,
        started_at as started_at,
        ended_at as ended_at,
        ingested_at as ingested_at,
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
