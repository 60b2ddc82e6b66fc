{#- The predicates a signal and its members model (models/signals/int_*_members.sql) share, so
    which events make up a detection is stated once, beside the rule that detects it. -#}

{#- A transaction in the structuring band: [structuring_band_low_pct % of the reporting
    threshold, the threshold). -#}
{% macro structuring_band(amount) -%}
{{ amount }} >= {{ var('structuring_threshold') }} * {{ var('structuring_band_low_pct') }} / 100
        and {{ amount }} < {{ var('structuring_threshold') }}
{%- endmacro %}

{#- A transfer at a safe margin under the reporting threshold, for cumulative structuring:
    [structuring_cumulative_low_pct %, structuring_cumulative_high_pct %) of the threshold. -#}
{% macro structuring_safe_margin(amount) -%}
channel = 'transfer'
        and {{ amount }}
        >= {{ var('structuring_threshold') }} * {{ var('structuring_cumulative_low_pct') }} / 100
        and {{ amount }}
        < {{ var('structuring_threshold') }} * {{ var('structuring_cumulative_high_pct') }} / 100
{%- endmacro %}

{#- A transfer with a known counterparty, under the reporting threshold, for fan-in. -#}
{% macro structuring_fan_in_transfer() -%}
channel = 'transfer'
        and counterparty_id is not null
        and amount < {{ var('structuring_threshold') }}
{%- endmacro %}

{#- The account's transfers with a counterparty, each with the first time the account paid that
    counterparty within the takeover_payee_history_minutes before it: a payee is new to a login
    when the account first paid it at or after the login. A bounded look-back, so the answer
    for a transfer never changes while it is in retention (its history is kept by the input
    span of account_takeover in common/contract.yml). -#}
{% macro transfers_with_payee_history(transactions) -%}
select
        event_id as event_id,
        event_time as event_time,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        amount as amount,
        device_id as device_id,
        min(event_time) over (
            partition by account_id, counterparty_id order by event_time
            range between interval '{{ var("takeover_payee_history_minutes") }} minutes' preceding
            and current row
        ) as payee_first_paid_at
    from {{ transactions }}
    where channel = 'transfer' and counterparty_id is not null
{%- endmacro %}

{#- Money movement after a profile change: a transfer, or takeover spending. -#}
{% macro takeover_money_movement() -%}
(channel = 'transfer' or ({{ takeover_spend() }}))
{%- endmacro %}

{#- `movement` follows the profile-change `change` of the same customer, from that device,
    within takeover_profile_change_window_minutes. -#}
{% macro movement_follows_change(change, change_at, movement) -%}
{{ change }}.customer_id = {{ movement }}.customer_id
        and {{ change }}.device_id = {{ movement }}.device_id
        and {{ movement }}.event_time >= {{ change_at }}
        and {{ movement }}.event_time
        <= {{ change_at }} + interval '{{ var("takeover_profile_change_window_minutes") }} minutes'
{%- endmacro %}

{#- A transaction that counts as takeover spending: high-value and card-not-present. -#}
{% macro takeover_spend() -%}
is_card_not_present and amount >= {{ var('high_value_amount') }}
{%- endmacro %}

{#- `spend` follows the new-device `login` of the same customer, from that device, within
    takeover_window_minutes. -#}
{% macro takeover_follows_login(login, login_at, spend) -%}
{{ login }}.customer_id = {{ spend }}.customer_id
        and {{ login }}.device_id = {{ spend }}.device_id
        and {{ spend }}.event_time >= {{ login_at }}
        and {{ spend }}.event_time
        <= {{ login_at }} + interval '{{ var("takeover_window_minutes") }} minutes'
{%- endmacro %}

{#- `event` lies in the window of windowed detection `signal`: same `key`, between its first
    event and the event that completed it. -#}
{% macro in_detection_window(signal, event, key) -%}
{{ signal }}.{{ key }} = {{ event }}.{{ key }}
        and {{ event }}.event_time >= {{ signal }}.first_event_at
        and {{ event }}.event_time <= {{ signal }}.detected_at
{%- endmacro %}
