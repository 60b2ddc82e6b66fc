-- Card testing: a card reaching cnp_spike_min_transactions card-not-present transactions within
-- cnp_spike_window_minutes (the burst path). With card_testing_max_amount set, the slower paths
-- count small card-not-present authorisations (amount at or below it): the drip path, a card
-- reaching cnp_drip_min_transactions of them within cnp_drip_window_minutes; the merchant path,
-- cnp_merchant_min_cards distinct cards declined on one at the same merchant within
-- cnp_merchant_window_minutes (a tester working through a list of stolen cards). One row per
-- crossing of a path's threshold; detection_path names the path. A merchant detection is
-- carried by the card whose decline completed it; its members are every card's declines.
{%- set window = var('cnp_spike_window_minutes') ~ ' minutes' %}
{%- set drip = var('cnp_drip_min_transactions') is not none %}
{%- set merchant = var('cnp_merchant_min_cards') is not none %}
{%- if drip %}
{%- set drip_window = var('cnp_drip_window_minutes') ~ ' minutes' %}
{%- endif %}
{%- if merchant %}
{%- set merchant_window = var('cnp_merchant_window_minutes') ~ ' minutes' %}
{%- endif %}
with cnp_transactions as (
    select
        event_id, event_time, customer_id, account_id, card_token, amount, merchant_id, status
    from {{ ref('int_transactions') }}
    where is_card_not_present
),

{{ threshold_crossings('crossings', 'cnp_transactions', 'card_token', window) }},

burst as (
    select
        'cnp_spike:' || event_id as signal_id,
        'cnp_spike' as signal_type,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        event_time as detected_at,
        window_first_event_at as first_event_at,
        cast(window_count as integer) as event_count,
        window_amount as total_amount,
        cast(window_count as varchar) || ' card-not-present transactions within '
        || '{{ var("cnp_spike_window_minutes") }} min on card ' || card_token as reason,
        cast('burst' as varchar) as detection_path,
        cast(null as varchar) as merchant_id
    from crossings
    where
        {{ crosses_threshold(
            'window_count', 'previous_window_count', var('cnp_spike_min_transactions')
        ) }}
        and {{ within_retention('event_time') }}
),
{%- if drip or merchant %}

small_transactions as (  -- noqa: ST03
    select event_id, event_time, customer_id, account_id, card_token, amount, merchant_id, status
    from cnp_transactions
    where amount <= {{ var('card_testing_max_amount') }}
),
{%- endif %}
{%- if drip %}

{{ threshold_crossings('drip_crossings', 'small_transactions', 'card_token', drip_window) }},

drip as (  -- noqa: ST03
    select
        'cnp_spike:drip:' || event_id as signal_id,
        'cnp_spike' as signal_type,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        event_time as detected_at,
        window_first_event_at as first_event_at,
        cast(window_count as integer) as event_count,
        window_amount as total_amount,
        cast(window_count as varchar) || ' card-not-present transactions of at most '
        || '{{ var("card_testing_max_amount") }} within '
        || '{{ var("cnp_drip_window_minutes") }} min on card ' || card_token
        || ' (drip)' as reason,
        cast('drip' as varchar) as detection_path,
        cast(null as varchar) as merchant_id
    from drip_crossings
    where
        {{ crosses_threshold(
            'window_count', 'previous_window_count', var('cnp_drip_min_transactions')
        ) }}
        and {{ within_retention('event_time') }}
),
{%- endif %}
{%- if merchant %}

merchant_declines as (
    select
        event_id as event_id,
        event_time as event_time,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        amount as amount,
        merchant_id as merchant_id,
        lag(event_time) over (
            partition by merchant_id, card_token order by event_time, event_id
        ) as previous_card_event_time
    from small_transactions
    where status = 'declined'
),

-- A card counts once per window at a merchant: a decline is a new card there unless the same
-- card was declined there within the window before it.
merchant_cards as (
    select
        event_id as event_id,
        event_time as event_time,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        amount as amount,
        merchant_id as merchant_id,
        case
            when
                previous_card_event_time is null
                or previous_card_event_time
                < event_time - interval '{{ merchant_window }}'
                then 1
            else 0
        end as is_new_card
    from merchant_declines
),

{{ threshold_crossings(
    'merchant_crossings', 'merchant_cards', 'merchant_id', merchant_window,
    columns=['event_id', 'event_time', 'customer_id', 'account_id', 'card_token', 'merchant_id'],
    sums={'window_cards': 'is_new_card'}, crossed='window_cards'
) }},

at_merchant as (  -- noqa: ST03
    select
        'cnp_spike:merchant:' || event_id as signal_id,
        'cnp_spike' as signal_type,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        event_time as detected_at,
        window_first_event_at as first_event_at,
        cast(window_count as integer) as event_count,
        window_amount as total_amount,
        cast(window_cards as varchar) || ' cards declined on card-not-present payments of at most '
        || '{{ var("card_testing_max_amount") }} within '
        || '{{ var("cnp_merchant_window_minutes") }} min at merchant ' || merchant_id
        || ' (merchant)' as reason,
        cast('merchant' as varchar) as detection_path,
        merchant_id as merchant_id
    from merchant_crossings
    where
        {{ crosses_threshold(
            'window_cards', 'previous_window_cards', var('cnp_merchant_min_cards')
        ) }}
        and {{ within_retention('event_time') }}
),
{%- endif %}

final as (
    select * from burst
    {%- if drip %}
    union all
    select * from drip  -- noqa: AM04
    {%- endif %}
    {%- if merchant %}
    union all
    select * from at_merchant  -- noqa: AM04
    {%- endif %}
)

select * from final
