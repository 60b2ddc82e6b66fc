-- Per-transaction features of the learned scorer: one definition for training, the backtest and
-- live scoring (scoring/features.py names these columns and hashes them into every model;
-- decisions/features.py computes the same for a payment being authorised).
-- Features describe the payment or compare it with its account's own history: the account's
-- transactions of the previous feature_history_hours, the transaction itself excluded (RANGE
-- frames include it, so it is subtracted). None measures absolute tempo (seconds between
-- payments, hour of day, counts per window): that follows a world's generator, not fraud.
-- Where the account has too little history for a comparison, the feature is NULL.
{%- set history_seconds = var('feature_history_hours') * 3600 %}
{%- set history = "range between interval '" ~ history_seconds ~ " seconds' preceding"
    ~ " and current row" %}
{#- The transaction's columns `windowed` and `history` carry through to `final`. #}
{%- set passed_columns = [
    'event_id',
    'event_time',
    'customer_id',
    'account_id',
    'card_token',
    'amount',
    'merchant_category',
    'channel',
    'device_id',
    'is_card_not_present',
    'is_new_device',
    'distance_from_home_km',
    'latitude',
    'longitude',
    'ingested_at',
    'typical_spend',
    'kyc_risk_tier'
] %}
with transactions as (
    select
        event_id, event_time, customer_id, account_id, card_token, amount, merchant_id,
        merchant_category, channel, device_id, city, is_card_not_present, is_new_device,
        distance_from_home_km, latitude, longitude, ingested_at, typical_spend, kyc_risk_tier
    from {{ ref('int_transactions') }}
),

windowed as (
    select
        {{ aliased_columns(passed_columns) }},
        count(*) over (
            partition by account_id order by event_time {{ history }}
        ) as history_count,
        sum(amount) over (
            partition by account_id order by event_time {{ history }}
        ) as history_amount_sum,
        min(event_time) over (
            partition by account_id order by event_time {{ history }}
        ) as history_start,
        count(*) over (
            partition by account_id order by event_time
            range between interval '600 seconds' preceding and current row
        ) as txn_count_10m,
        count(*) over (
            partition by account_id, merchant_id order by event_time {{ history }}
        ) as merchant_count,
        count(*) over (
            partition by account_id, city order by event_time {{ history }}
        ) as city_count,
        count(*) over (
            partition by account_id, device_id order by event_time {{ history }}
        ) as device_count,
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

history as (
    select
        {{ aliased_columns(passed_columns) }},
        merchant_count as merchant_count,
        city_count as city_count,
        device_count as device_count,
        history_count - 1 as previous_count,
        txn_count_10m - 1 as previous_count_10m,
        -- The previous transaction counts only within the history (as decisions/ sees it).
        case when history_count > 1 then previous_event_time end as previous_event_time,
        case when history_count > 1 then previous_latitude end as previous_latitude,
        case when history_count > 1 then previous_longitude end as previous_longitude,
        case
            when history_count > 1
                then (history_amount_sum - amount) / (history_count - 1)
        end as history_mean_amount,
        -- The account's mean gap between its previous transactions (two or more of them).
        case
            when history_count > 2
                then (
                    extract(epoch from previous_event_time) - extract(epoch from history_start)
                ) / (history_count - 2)
        end as typical_gap_seconds
    from windowed
),

final as (
    select
        history.event_id as event_id,
        history.event_time as event_time,
        history.customer_id as customer_id,
        history.account_id as account_id,
        history.card_token as card_token,
        history.ingested_at as ingested_at,
        cast(history.amount as double precision) as amount,
        cast(
            history.amount / nullif(history.typical_spend, 0) as double precision
        ) as amount_to_typical,
        cast(history.previous_count as integer) as history_transactions,
        cast(
            history.amount / nullif(history.history_mean_amount, 0) as double precision
        ) as amount_to_history_mean,
        cast(
            (
                extract(epoch from history.event_time)
                - extract(epoch from history.previous_event_time)
            )
            / nullif(history.typical_gap_seconds, 0) as double precision
        ) as gap_to_typical_gap,
        cast(
            history.previous_count_10m * history.typical_gap_seconds / 600 as double precision
        ) as count_10m_to_typical,
        case
            when history.previous_count = 0 then null
            when history.merchant_count = 1 then 1
            else 0
        end as is_new_merchant,
        case
            when history.previous_count = 0 then null
            when history.city_count = 1 then 1
            else 0
        end as is_new_city,
        case
            when history.previous_count = 0 or history.device_id is null then null
            when history.device_count = 1 then 1
            else 0
        end as is_new_account_device,
        cast({{ haversine_km(
            'history.previous_latitude', 'history.previous_longitude',
            'history.latitude', 'history.longitude'
        ) }} as double precision) as km_from_previous,
        cast(history.distance_from_home_km as double precision) as km_from_home,
        case when history.is_new_device then 1 else 0 end as is_new_device,
        case when history.is_card_not_present then 1 else 0 end as is_card_not_present,
        history.channel as channel,
        history.merchant_category as merchant_category,
        history.kyc_risk_tier as kyc_tier
    from history
)

select * from final
