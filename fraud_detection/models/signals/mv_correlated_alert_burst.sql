-- Correlated alerts: a customer reaching correlated_min_alert_types distinct alert types within
-- correlated_window_minutes. One row per crossing of the threshold (the alert that completed it).
with alerts as (
    select event_id, event_time, customer_id, account_id, alert_type
    from {{ ref('int_alerts') }}
),

customers as (
    select customer_id, primary_account_id from {{ ref('int_customer_accounts') }}
),

-- Each alert with the distinct alert types the customer saw in the window ending at it.
window_types as (
    select distinct
        anchor.event_id as event_id,
        anchor.event_time as event_time,
        anchor.customer_id as customer_id,
        anchor.account_id as account_id,
        recent.alert_type as alert_type
    from alerts as anchor
    inner join alerts as recent
        on anchor.customer_id = recent.customer_id
        and recent.event_time >= anchor.event_time
        - interval '{{ var("correlated_window_minutes") }} minutes'
        and recent.event_time <= anchor.event_time
),

window_first as (
    select
        anchor.event_id as event_id,
        min(recent.event_time) as first_event_at,
        count(*) as alert_count
    from alerts as anchor
    inner join alerts as recent
        on anchor.customer_id = recent.customer_id
        and recent.event_time >= anchor.event_time
        - interval '{{ var("correlated_window_minutes") }} minutes'
        and recent.event_time <= anchor.event_time
    group by anchor.event_id
),

per_alert as (
    select
        event_id as event_id,
        event_time as event_time,
        customer_id as customer_id,
        account_id as account_id,
        count(*) as type_count,
        string_agg(alert_type, ',' order by alert_type) as alert_types
    from window_types
    group by event_id, event_time, customer_id, account_id
),

crossings as (
    select
        per_alert.event_id as event_id,
        per_alert.event_time as event_time,
        per_alert.customer_id as customer_id,
        per_alert.account_id as account_id,
        per_alert.type_count as type_count,
        per_alert.alert_types as alert_types,
        window_first.first_event_at as first_event_at,
        window_first.alert_count as alert_count,
        lag(per_alert.type_count) over (
            partition by per_alert.customer_id order by per_alert.event_time, per_alert.event_id
        ) as previous_type_count
    from per_alert
    inner join window_first
        on per_alert.event_id = window_first.event_id
),

final as (
    select
        'correlated_alerts:' || crossings.event_id as signal_id,
        'correlated_alerts' as signal_type,
        crossings.customer_id as customer_id,
        coalesce(crossings.account_id, customers.primary_account_id) as account_id,
        cast(null as varchar) as card_token,
        crossings.event_time as detected_at,
        crossings.first_event_at as first_event_at,
        cast(crossings.alert_count as integer) as event_count,
        cast(null as numeric) as total_amount,
        cast(crossings.type_count as varchar) || ' distinct alert types within '
        || '{{ var("correlated_window_minutes") }} min: ' || crossings.alert_types as reason,
        crossings.alert_types as alert_types
    from crossings
    left join customers
        on crossings.customer_id = customers.customer_id
    where
        {{ crosses_threshold(
            'crossings.type_count', 'crossings.previous_type_count',
            var('correlated_min_alert_types')
        ) }}
        and {{ within_retention('crossings.event_time') }}
)

select * from final
