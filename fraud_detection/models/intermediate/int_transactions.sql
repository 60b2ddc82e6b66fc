-- Valid transactions with the indicators signals use: card-not-present, new device (not in the
-- customer's KYC registered devices), distance from the KYC home, amount band.
with transactions as (
    select * from {{ ref('stg_transactions_checked') }}
    where rejection_reason is null
),

customers as (
    select customer_id, home_latitude, home_longitude from {{ ref('int_customers') }}
),

registered_devices as (
    select customer_id, device_id from {{ ref('int_registered_devices') }}
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
            'customers.home_latitude', 'customers.home_longitude',
            'transactions.latitude', 'transactions.longitude'
        ) }} as numeric), 1) as distance_from_home_km,
        case
            when transactions.amount >= {{ var('high_value_amount') }} then 'high'
            when transactions.amount >= 100 then 'medium'
            else 'low'
        end as amount_band
    from transactions
    left join customers
        on transactions.customer_id = customers.customer_id
    left join registered_devices
        on transactions.customer_id = registered_devices.customer_id
        and transactions.device_id = registered_devices.device_id
),

final as (
    select * from enriched
)

select * from final
