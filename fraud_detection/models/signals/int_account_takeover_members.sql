-- The transactions that make up each account takeover, by its detection path: the high-value
-- card-not-present spending (card_not_present) or the transfers to new payees (new_payee) that
-- followed its new-device login, or the money movement that followed its profile change
-- (profile_change).
-- A path's CTE is exempt from ST03: sqlfluff renders each `if` apart and misses that the CTE
-- and its branch of `final` share one condition.
{%- set new_payee_on = var('takeover_payee_history_minutes', none) is not none %}
{%- set profile_change_on = var('takeover_profile_change_window_minutes', none) is not none %}
with detections as (
    select signal_id, signal_type, customer_id, device_id, login_at, detection_path
    from {{ ref('mv_account_takeover') }}
),

high_value_cnp as (
    select event_id, event_time, customer_id, device_id
    from {{ ref('int_transactions') }}
    where {{ takeover_spend() }}
),

card_not_present as (
    select
        detections.signal_id as signal_id,
        detections.signal_type as signal_type,
        high_value_cnp.event_id as event_id
    from detections
    inner join high_value_cnp
        on {{ takeover_follows_login('detections', 'detections.login_at', 'high_value_cnp') }}
    where detections.detection_path = 'card_not_present'
),
{%- if new_payee_on %}

transfers_with_history as (
    {{ transfers_with_payee_history(ref('int_transactions')) }}
),

payee_transfers as (
    select event_id, event_time, customer_id, device_id, payee_first_paid_at
    from transfers_with_history
),

new_payee as (  -- noqa: ST03
    select
        detections.signal_id as signal_id,
        detections.signal_type as signal_type,
        payee_transfers.event_id as event_id
    from detections
    inner join payee_transfers
        on {{ takeover_follows_login('detections', 'detections.login_at', 'payee_transfers') }}
        and payee_transfers.payee_first_paid_at >= detections.login_at
    where detections.detection_path = 'new_payee'
),
{%- endif %}
{%- if profile_change_on %}

money_movement as (
    select event_id, event_time, customer_id, device_id
    from {{ ref('int_transactions') }}
    where {{ takeover_money_movement() }}
),

profile_change as (  -- noqa: ST03
    select
        detections.signal_id as signal_id,
        detections.signal_type as signal_type,
        money_movement.event_id as event_id
    from detections
    inner join money_movement
        on {{ movement_follows_change('detections', 'detections.login_at', 'money_movement') }}
    where detections.detection_path = 'profile_change'
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

select * from final  -- noqa: AM04
