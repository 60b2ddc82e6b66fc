{#- The predicates a signal and its members model (models/signals/int_*_members.sql) share, so
    which events make up a detection is stated once, beside the rule that detects it. -#}

{#- A transaction in the structuring band: [structuring_band_low_pct % of the reporting
    threshold, the threshold). -#}
{% macro structuring_band(amount) -%}
{{ amount }} >= {{ var('structuring_threshold') }} * {{ var('structuring_band_low_pct') }} / 100
        and {{ amount }} < {{ var('structuring_threshold') }}
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
