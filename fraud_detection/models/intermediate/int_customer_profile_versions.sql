-- Each customer's KYC facts over time (home, typical spend, risk tier): one row per change, in
-- force from the first valid profile giving it (valid_from) until the next profile changing any
-- of them (valid_until, NULL while current). int_transactions reads the facts of the
-- transaction's own moment, so a later profile (a move, a new typical spend) never changes an
-- earlier distance from home or model feature. Profiles repeating the facts (a periodic review)
-- add no row: each moment after the first profile falls in exactly one row.
with profiles as (
    select
        event_id, event_time, customer_id, home_latitude, home_longitude, typical_spend, risk_tier
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
        typical_spend as typical_spend,
        risk_tier as risk_tier,
        lag(event_id) over (
            partition by customer_id order by event_time, event_id
        ) as previous_event_id,
        lag(home_latitude) over (
            partition by customer_id order by event_time, event_id
        ) as previous_latitude,
        lag(home_longitude) over (
            partition by customer_id order by event_time, event_id
        ) as previous_longitude,
        lag(typical_spend) over (
            partition by customer_id order by event_time, event_id
        ) as previous_typical_spend,
        lag(risk_tier) over (
            partition by customer_id order by event_time, event_id
        ) as previous_risk_tier
    from profiles
),

changes as (
    select
        event_id, event_time, customer_id, home_latitude, home_longitude, typical_spend, risk_tier
    from with_previous
    where
        previous_event_id is null
        or previous_latitude <> home_latitude
        or previous_longitude <> home_longitude
        or previous_typical_spend <> typical_spend
        or previous_risk_tier <> risk_tier
),

final as (
    select
        customer_id as customer_id,
        home_latitude as home_latitude,
        home_longitude as home_longitude,
        typical_spend as typical_spend,
        risk_tier as risk_tier,
        event_time as valid_from,
        lead(event_time) over (
            partition by customer_id order by event_time, event_id
        ) as valid_until
    from changes
)

select * from final
