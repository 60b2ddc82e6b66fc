-- Account takeover, by up to three paths (detection_path; the new_payee and profile_change paths
-- are off when their vars are null, as in rule sets v1 and v2):
-- - card_not_present: a successful login from a device not registered in KYC, followed within
--   takeover_window_minutes by high-value (>= high_value_amount) card-not-present spending from
--   that same device;
-- - new_payee: such a login followed within takeover_window_minutes by transfers from that device
--   to payees the account first paid at or after the login (nothing to them in the
--   takeover_payee_history_minutes before);
-- - profile_change: a successful login that changed the profile (enrolled its device, changed the
--   contact details) followed within takeover_profile_change_window_minutes by money movement
--   (a transfer or takeover spending) from that device.
-- One row per login and path; detected_at is the first transaction that followed.
-- A path's CTE is exempt from ST03: sqlfluff renders each `if` apart and misses that the CTE
-- and its branch of `final` share one condition.
{%- set new_payee_on = var('takeover_payee_history_minutes', none) is not none %}
{%- set profile_change_on = var('takeover_profile_change_window_minutes', none) is not none %}
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

card_not_present as (
    select
        cast('account_takeover:' || login_event_id as varchar) as signal_id,
        cast('account_takeover' as varchar) as signal_type,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        first_spend_at as detected_at,
        login_at as first_event_at,
        cast(spend_count + 1 as integer) as event_count,
        spend_amount as total_amount,
        cast(
            'login from unregistered device ' || device_id || ' then '
            || cast(spend_count as varchar) || ' high-value card-not-present transactions'
            as varchar
        ) as reason,
        device_id as device_id,
        login_at as login_at,
        cast('card_not_present' as varchar) as detection_path
    from per_login
    where {{ within_retention('first_spend_at') }}
),
{%- if new_payee_on %}

transfers_with_history as (
    {{ transfers_with_payee_history(ref('int_transactions')) }}
),

payee_transfers as (
    select
        event_id, event_time, customer_id, account_id, card_token, amount, device_id,
        payee_first_paid_at
    from transfers_with_history
),

new_payee_matched as (
    select
        new_device_logins.event_id as login_event_id,
        new_device_logins.event_time as login_at,
        new_device_logins.customer_id as customer_id,
        new_device_logins.device_id as device_id,
        payee_transfers.account_id as account_id,
        payee_transfers.card_token as card_token,
        payee_transfers.event_time as spend_at,
        payee_transfers.amount as amount
    from new_device_logins
    inner join payee_transfers
        on {{ takeover_follows_login(
            'new_device_logins', 'new_device_logins.event_time', 'payee_transfers'
        ) }}
        and payee_transfers.payee_first_paid_at >= new_device_logins.event_time
),

new_payee_per_login as (
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
    from new_payee_matched
    group by login_event_id, login_at, customer_id, device_id
),

new_payee as (  -- noqa: ST03
    select
        cast('account_takeover:new_payee:' || login_event_id as varchar) as signal_id,
        cast('account_takeover' as varchar) as signal_type,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        first_spend_at as detected_at,
        login_at as first_event_at,
        cast(spend_count + 1 as integer) as event_count,
        spend_amount as total_amount,
        cast(
            'login from unregistered device ' || device_id || ' then '
            || cast(spend_count as varchar) || ' transfers to new payees' as varchar
        ) as reason,
        device_id as device_id,
        login_at as login_at,
        cast('new_payee' as varchar) as detection_path
    from new_payee_per_login
    where {{ within_retention('first_spend_at') }}
),
{%- endif %}
{%- if profile_change_on %}

profile_changes as (
    select event_id, event_time, customer_id, device_id, profile_change
    from {{ ref('int_logins') }}
    where success and profile_change is not null
),

money_movement as (
    select event_id, event_time, customer_id, account_id, card_token, amount, device_id
    from {{ ref('int_transactions') }}
    where {{ takeover_money_movement() }}
),

change_matched as (
    select
        profile_changes.event_id as login_event_id,
        profile_changes.event_time as login_at,
        profile_changes.customer_id as customer_id,
        profile_changes.device_id as device_id,
        profile_changes.profile_change as profile_change,
        money_movement.account_id as account_id,
        money_movement.card_token as card_token,
        money_movement.event_time as spend_at,
        money_movement.amount as amount
    from profile_changes
    inner join money_movement
        on {{ movement_follows_change(
            'profile_changes', 'profile_changes.event_time', 'money_movement'
        ) }}
),

change_per_login as (
    select
        login_event_id as login_event_id,
        login_at as login_at,
        customer_id as customer_id,
        device_id as device_id,
        profile_change as profile_change,
        min(account_id) as account_id,
        min(card_token) as card_token,
        min(spend_at) as first_spend_at,
        count(*) as spend_count,
        sum(amount) as spend_amount
    from change_matched
    group by login_event_id, login_at, customer_id, device_id, profile_change
),

profile_change as (  -- noqa: ST03
    select
        cast('account_takeover:profile_change:' || login_event_id as varchar) as signal_id,
        cast('account_takeover' as varchar) as signal_type,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        first_spend_at as detected_at,
        login_at as first_event_at,
        cast(spend_count + 1 as integer) as event_count,
        spend_amount as total_amount,
        cast(
            'profile change (' || profile_change || ') from device ' || device_id || ' then '
            || cast(spend_count as varchar) || ' transfers or high-value payments' as varchar
        ) as reason,
        device_id as device_id,
        login_at as login_at,
        cast('profile_change' as varchar) as detection_path
    from change_per_login
    where {{ within_retention('first_spend_at') }}
),
{%- endif %}

final as (
    select * from card_not_present
    {%- if new_payee_on %}
    union all
    select * from new_payee
    {%- endif %}
    {%- if profile_change_on %}
    union all
    select * from profile_change
    {%- endif %}
)

select * from final
