-- Impossible travel: two consecutive transactions of an account more than geo_min_distance_km
-- apart and less than geo_max_gap_minutes apart. One row per such pair (the later transaction
-- completes the pattern). With geo_location_channels set, only transactions on those channels
-- count: an online payment or a transfer carries the merchant's registered address or nothing,
-- not where the cardholder is.
{%- set location_channels = var('geo_location_channels') %}
with transactions as (
    select
        event_id, event_time, customer_id, account_id, card_token, amount, latitude, longitude, city
    from {{ ref('int_transactions') }}
    {%- if location_channels is not none %}
    where channel in ({{ sql_strings(location_channels) }})
    {%- endif %}
),

with_previous as (
    select
        event_id as event_id,
        event_time as event_time,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        amount as amount,
        latitude as latitude,
        longitude as longitude,
        city as city,
        lag(event_id) over (
            partition by account_id order by event_time, event_id
        ) as previous_event_id,
        lag(event_time) over (
            partition by account_id order by event_time, event_id
        ) as previous_event_time,
        lag(amount) over (
            partition by account_id order by event_time, event_id
        ) as previous_amount,
        lag(latitude) over (
            partition by account_id order by event_time, event_id
        ) as previous_latitude,
        lag(longitude) over (
            partition by account_id order by event_time, event_id
        ) as previous_longitude,
        lag(city) over (
            partition by account_id order by event_time, event_id
        ) as previous_city
    from transactions
),

measured as (
    select
        event_id as event_id,
        event_time as event_time,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        amount as amount,
        latitude as latitude,
        longitude as longitude,
        city as city,
        previous_event_id as previous_event_id,
        previous_event_time as previous_event_time,
        previous_amount as previous_amount,
        previous_latitude as previous_latitude,
        previous_longitude as previous_longitude,
        previous_city as previous_city,
        {{ haversine_km('previous_latitude', 'previous_longitude', 'latitude', 'longitude') }}
            as distance_km,
        cast(
            extract(epoch from event_time) - extract(epoch from previous_event_time)
            as double precision
        ) as gap_seconds
    from with_previous
    where previous_event_id is not null
),

final as (
    select
        'geo_impossible:' || event_id as signal_id,
        'geo_impossible' as signal_type,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        event_time as detected_at,
        previous_event_time as first_event_at,
        2 as event_count,
        previous_amount + amount as total_amount,
        'transactions ' || cast(round(cast(distance_km as numeric), 0) as varchar)
        || ' km apart in ' || cast(round(cast(gap_seconds / 60 as numeric), 0) as varchar)
        || ' min (' || previous_city || ' -> ' || city || ')'
        {%- if location_channels is not none %}
        || ' on {{ location_channels | join("/") }}'
        {%- endif %} as reason,
        previous_event_id as from_event_id,
        event_id as to_event_id,
        previous_latitude as from_latitude,
        previous_longitude as from_longitude,
        previous_city as from_city,
        latitude as to_latitude,
        longitude as to_longitude,
        city as to_city,
        round(cast(distance_km as numeric), 1) as distance_km,
        round(cast(distance_km * 3600 / greatest(gap_seconds, 1) as numeric), 1) as speed_kmh
    from measured
    where
        distance_km > {{ var('geo_min_distance_km') }}
        and gap_seconds < {{ var('geo_max_gap_minutes') }} * 60
        and {{ within_retention('event_time') }}
)

select * from final
