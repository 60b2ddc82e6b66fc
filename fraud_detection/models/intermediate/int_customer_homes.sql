-- Each customer's homes over time: one row per home the customer's valid KYC profiles record, in
-- force from the first profile giving it (home_from) until the next profile giving another one
-- (home_until, NULL while current). int_transactions measures a transaction's distance from the
-- home of the transaction's own moment, so a later move never changes an earlier distance.
-- Profiles that repeat the home (a periodic review) add no row: each transaction matches one row.
with profiles as (
    select event_id, event_time, customer_id, home_latitude, home_longitude
    from {{ ref('stg_kyc_profiles_checked') }}
    where rejection_reason is null
),

with_previous as (
    select
        event_id as event_id,
        event_time as event_time,
        customer_id as customer_id,
        home_latitude as home_latitude,
        home_longitude as home_longitude,
        lag(home_latitude) over (
            partition by customer_id order by event_time, event_id
        ) as previous_latitude,
        lag(home_longitude) over (
            partition by customer_id order by event_time, event_id
        ) as previous_longitude
    from profiles
),

moves as (
    select event_id, event_time, customer_id, home_latitude, home_longitude
    from with_previous
    where
        previous_latitude is null
        or previous_latitude <> home_latitude
        or previous_longitude <> home_longitude
),

final as (
    select
        customer_id as customer_id,
        home_latitude as home_latitude,
        home_longitude as home_longitude,
        event_time as home_from,
        lead(event_time) over (
            partition by customer_id order by event_time, event_id
        ) as home_until
    from moves
)

select * from final
