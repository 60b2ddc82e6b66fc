-- Valid transactions with the indicators signals use: card-not-present, new device (not registered
-- by a KYC profile of the customer at the transaction's time), distance from the KYC home of that
-- time, amount band; and the typical spend and risk tier of that time (the model's features).
-- All read the profiles as of the transaction's event time, never the current one, so a profile
-- arriving later (a device enrolled, a move, a new typical spend) leaves earlier rows as they were.
with transactions as (
    select * from {{ ref('stg_transactions_checked') }}
    where rejection_reason is null
),

profiles as (
    select
        customer_id, home_latitude, home_longitude, typical_spend, risk_tier, valid_from,
        valid_until
    from {{ ref('int_customer_profile_versions') }}
),

registered_devices as (
    select customer_id, device_id, registered_at from {{ ref('int_registered_devices') }}
),

enriched as (
    select
        {{ aliased_columns(
            topic_columns('transactions'),
            relation='transactions'
        ) }},
        (
            transactions.card_token is not null
            and transactions.channel in ({{ contract_strings('card_not_present_channels') }})
        ) as is_card_not_present,
        (
            transactions.device_id is not null and registered_devices.device_id is null
        ) as is_new_device,
        round(cast({{ haversine_km(
            'profiles.home_latitude', 'profiles.home_longitude',
            'transactions.latitude', 'transactions.longitude'
        ) }} as numeric), 1) as distance_from_home_km,
        case
            when transactions.amount >= {{ var('high_value_amount') }} then 'high'
            when transactions.amount >= 100 then 'medium'
            else 'low'
        end as amount_band,
        profiles.typical_spend as typical_spend,
        profiles.risk_tier as kyc_risk_tier
    from transactions
    left join profiles
        on transactions.customer_id = profiles.customer_id
        and profiles.valid_from <= transactions.event_time
        and (profiles.valid_until is null or transactions.event_time < profiles.valid_until)
    left join registered_devices
        on transactions.customer_id = registered_devices.customer_id
        and transactions.device_id = registered_devices.device_id
        and registered_devices.registered_at <= transactions.event_time
),

final as (
    select * from enriched
)

select * from final
