-- Velocity: an account reaching velocity_min_transactions transactions within
-- velocity_window_seconds (the burst path). With velocity_sustained_min_transactions set, also
-- the sustained path: that many transactions on velocity_sustained_channels within
-- velocity_sustained_window_minutes (a stolen card tapped every minute or so stays under the
-- burst). One row per crossing of a path's threshold (the transaction that completed the
-- pattern), not one per transaction while the run lasts; detection_path names the path.
{%- set window = var('velocity_window_seconds') ~ ' seconds' %}
{%- set sustained = var('velocity_sustained_min_transactions') is not none %}
{%- if sustained %}
{%- set sustained_window = var('velocity_sustained_window_minutes') ~ ' minutes' %}
{%- endif %}
with transactions as (
    select event_id, event_time, customer_id, account_id, card_token, amount, channel
    from {{ ref('int_transactions') }}
),

{{ threshold_crossings('crossings', 'transactions', 'account_id', window) }},

burst as (
    select
        'velocity:' || event_id as signal_id,
        'velocity' as signal_type,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        event_time as detected_at,
        window_first_event_at as first_event_at,
        cast(window_count as integer) as event_count,
        window_amount as total_amount,
        cast(window_count as varchar) || ' transactions within '
        || '{{ var("velocity_window_seconds") }} s on account ' || account_id as reason,
        cast('burst' as varchar) as detection_path
    from crossings
    where
        {{ crosses_threshold(
            'window_count', 'previous_window_count', var('velocity_min_transactions')
        ) }}
        and {{ within_retention('event_time') }}
),
{%- if sustained %}

sustained_transactions as (
    select event_id, event_time, customer_id, account_id, card_token, amount
    from transactions
    where channel in ({{ sql_strings(var('velocity_sustained_channels')) }})
),

{{ threshold_crossings(
    'sustained_crossings', 'sustained_transactions', 'account_id', sustained_window
) }},

sustained as (  -- noqa: ST03
    select
        'velocity:sustained:' || event_id as signal_id,
        'velocity' as signal_type,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        event_time as detected_at,
        window_first_event_at as first_event_at,
        cast(window_count as integer) as event_count,
        window_amount as total_amount,
        cast(window_count as varchar)
        || ' {{ var("velocity_sustained_channels") | join("/") }} transactions within '
        || '{{ var("velocity_sustained_window_minutes") }} min on account ' || account_id
        || ' (sustained)' as reason,
        cast('sustained' as varchar) as detection_path
    from sustained_crossings
    where
        {{ crosses_threshold(
            'window_count', 'previous_window_count', var('velocity_sustained_min_transactions')
        ) }}
        and {{ within_retention('event_time') }}
),
{%- endif %}

final as (
    select * from burst
    {%- if sustained %}
    union all
    select * from sustained  -- noqa: AM04
    {%- endif %}
)

select * from final  -- noqa: AM04
