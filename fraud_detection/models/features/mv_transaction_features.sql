-- Per-transaction features of the learned scorer: one definition for training, the backtest and
-- live scoring (scoring/features.py names these columns and hashes them into every model).
-- Windows are per account and include the transaction itself; the previous transaction is the
-- account's last one before it.
with transactions as (
    select
        event_id, event_time, customer_id, account_id, card_token, amount, merchant_category,
        channel, is_card_not_present, is_new_device, distance_from_home_km, latitude, longitude,
        ingested_at
    from {{ ref('int_transactions') }}
),

customers as (
    select customer_id, typical_spend, risk_tier from {{ ref('int_customers') }}
),

windowed as (
    select
        event_id as event_id,
        event_time as event_time,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        amount as amount,
        merchant_category as merchant_category,
        channel as channel,
        is_card_not_present as is_card_not_present,
        is_new_device as is_new_device,
        distance_from_home_km as distance_from_home_km,
        latitude as latitude,
        longitude as longitude,
        ingested_at as ingested_at,
        {%- for name, seconds in [('1m', 60), ('10m', 600), ('1h', 3600)] %}
        count(*) over (
            partition by account_id order by event_time
            range between interval '{{ seconds }} seconds' preceding and current row
        ) as txn_count_{{ name }},
        sum(amount) over (
            partition by account_id order by event_time
            range between interval '{{ seconds }} seconds' preceding and current row
        ) as amount_sum_{{ name }},
        {%- endfor %}
        lag(event_time) over (
            partition by account_id order by event_time, event_id
        ) as previous_event_time,
        lag(latitude) over (
            partition by account_id order by event_time, event_id
        ) as previous_latitude,
        lag(longitude) over (
            partition by account_id order by event_time, event_id
        ) as previous_longitude
    from transactions
),

final as (
    select
        windowed.event_id as event_id,
        windowed.event_time as event_time,
        windowed.customer_id as customer_id,
        windowed.account_id as account_id,
        windowed.card_token as card_token,
        windowed.ingested_at as ingested_at,
        cast(windowed.amount as double precision) as amount,
        cast(
            windowed.amount / nullif(customers.typical_spend, 0) as double precision
        ) as amount_to_typical,
        {%- for name in ['1m', '10m', '1h'] %}
        cast(windowed.txn_count_{{ name }} as integer) as txn_count_{{ name }},
        cast(windowed.amount_sum_{{ name }} as double precision) as amount_sum_{{ name }},
        {%- endfor %}
        cast(
            extract(epoch from windowed.event_time)
            - extract(epoch from windowed.previous_event_time) as double precision
        ) as seconds_since_previous,
        cast({{ haversine_km(
            'windowed.previous_latitude', 'windowed.previous_longitude',
            'windowed.latitude', 'windowed.longitude'
        ) }} as double precision) as km_from_previous,
        cast(windowed.distance_from_home_km as double precision) as km_from_home,
        case when windowed.is_new_device then 1 else 0 end as is_new_device,
        case when windowed.is_card_not_present then 1 else 0 end as is_card_not_present,
        cast(floor(extract(epoch from windowed.event_time) / 3600) as bigint) % 24 as hour_of_day,
        windowed.channel as channel,
        windowed.merchant_category as merchant_category,
        customers.risk_tier as kyc_tier
    from windowed
    left join customers
        on windowed.customer_id = customers.customer_id
)

select * from final
