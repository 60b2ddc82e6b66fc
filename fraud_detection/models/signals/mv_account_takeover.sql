-- Account takeover: a successful login from a device not registered in KYC, followed within
-- takeover_window_minutes by high-value (>= high_value_amount) card-not-present spending from that
-- same device. One row per such login; detected_at is the first such transaction.
with new_device_logins as (
    select event_id, event_time, customer_id, device_id
    from {{ ref('int_logins') }}
    where success and is_new_device
),

high_value_cnp as (
    select event_id, event_time, customer_id, account_id, card_token, amount, device_id
    from {{ ref('int_transactions') }}
    where {{ takeover_spend() }}
),

matched as (
    select
        new_device_logins.event_id as login_event_id,
        new_device_logins.event_time as login_at,
        new_device_logins.customer_id as customer_id,
        new_device_logins.device_id as device_id,
        high_value_cnp.account_id as account_id,
        high_value_cnp.card_token as card_token,
        high_value_cnp.event_time as spend_at,
        high_value_cnp.amount as amount
    from new_device_logins
    inner join high_value_cnp
        on {{ takeover_follows_login(
            'new_device_logins', 'new_device_logins.event_time', 'high_value_cnp'
        ) }}
),

per_login as (
    select
        login_event_id as login_event_id,
        login_at as login_at,
        customer_id as customer_id,
        device_id as device_id,
        min(account_id) as account_id,
        min(card_token) as card_token,
        min(spend_at) as first_spend_at,
        count(*) as spend_count,
        sum(amount) as spend_amount
    from matched
    group by login_event_id, login_at, customer_id, device_id
),

final as (
    select
        'account_takeover:' || login_event_id as signal_id,
        'account_takeover' as signal_type,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        first_spend_at as detected_at,
        login_at as first_event_at,
        cast(spend_count + 1 as integer) as event_count,
        spend_amount as total_amount,
        'login from unregistered device ' || device_id || ' then '
        || cast(spend_count as varchar) || ' high-value card-not-present transactions' as reason,
        device_id as device_id,
        login_at as login_at
    from per_login
    where {{ within_retention('first_spend_at') }}
)

select * from final
