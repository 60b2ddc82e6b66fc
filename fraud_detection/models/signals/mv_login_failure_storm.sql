-- Login storm: a customer reaching login_storm_min_failures failed logins within
-- login_storm_window_seconds. One row per crossing of the threshold; the account is the
-- customer's primary account from KYC.
{%- set window = var('login_storm_window_seconds') ~ ' seconds' %}
with failed_logins as (
    select event_id, event_time, customer_id, device_id
    from {{ ref('int_logins') }}
    where not success
),

customers as (
    select customer_id, primary_account_id from {{ ref('int_customer_accounts') }}
),

{{ threshold_crossings(
    'crossings', 'failed_logins', 'customer_id', window,
    columns=['event_id', 'event_time', 'customer_id'], amount=none
) }},

final as (
    select
        'login_storm:' || crossings.event_id as signal_id,
        'login_storm' as signal_type,
        crossings.customer_id as customer_id,
        customers.primary_account_id as account_id,
        cast(null as varchar) as card_token,
        crossings.event_time as detected_at,
        crossings.window_first_event_at as first_event_at,
        cast(crossings.window_count as integer) as event_count,
        cast(null as numeric) as total_amount,
        cast(crossings.window_count as varchar) || ' failed logins within '
        || '{{ var("login_storm_window_seconds") }} s for customer '
        || crossings.customer_id as reason
    from crossings
    left join customers
        on crossings.customer_id = customers.customer_id
    where
        {{ crosses_threshold(
            'crossings.window_count', 'crossings.previous_window_count',
            var('login_storm_min_failures')
        ) }}
        and {{ within_retention('crossings.event_time') }}
)

select * from final
