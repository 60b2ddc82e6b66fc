-- Every transaction in input retention, typed, with the reason it is unusable (NULL if valid).
with source_rows as (
    select * from {{ ref('src_transactions') }}
    where {{ within_input_retention('ingested_at') }}
),

checked as (
    select
        event_id as event_id,
        event_time as event_time,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        amount as amount,
        currency as currency,
        merchant_id as merchant_id,
        merchant_name as merchant_name,
        merchant_category as merchant_category,
        channel as channel,
        device_id as device_id,
        latitude as latitude,
        longitude as longitude,
        city as city,
        country as country,
        status as status,
        ingested_at as ingested_at,
        case
            when event_id is null or customer_id is null or account_id is null
                or merchant_id is null then 'missing_id'
            when event_time is null then 'missing_event_time'
            when event_time > ingested_at + interval '{{ var("max_future_skew_minutes") }} minutes'
                then 'future_event_time'
            when amount is null or amount <= 0 then 'invalid_amount'
            when channel is null
                or channel not in ('pos', 'atm', 'ecommerce', 'phone', 'transfer')
                then 'unknown_channel'
            when status is null or status not in ('approved', 'declined') then 'unknown_status'
            when latitude is null or longitude is null
                or latitude < -90 or latitude > 90
                or longitude < -180 or longitude > 180 then 'invalid_coordinates'
        end as rejection_reason
    from source_rows
),

final as (
    select * from checked
)

select * from final
