-- Structuring, by up to three paths (detection_path; the cumulative and fan-in paths are off
-- when their vars are null, as in rule sets v1 and v2):
-- - band: an account reaching structuring_min_transactions transactions just under the reporting
--   threshold ([structuring_band_low_pct % of it, the threshold)) within
--   structuring_window_minutes;
-- - cumulative: structuring_cumulative_min_transactions transfers, each at a safe margin under the
--   threshold ([low_pct, high_pct) % of it), summing to the threshold or more within
--   structuring_cumulative_window_minutes (a day);
-- - fan_in: transfers from structuring_fan_in_min_counterparties distinct counterparties into one
--   account within structuring_fan_in_window_minutes, the distinct ones at least
--   structuring_fan_in_min_distinct_pct % of the window's transfers (smurfing: many people
--   paying once each, not an account's recurring payees).
-- One row per transfer that completes such a window: the windows are long, so a crossing-only
-- rule would hide a second episode inside the first one's window, and these transactions are few.
-- A path's CTE is exempt from ST03: sqlfluff renders each `if` apart and misses that the CTE
-- and its branch of `final` share one condition.
{%- set window = var('structuring_window_minutes') ~ ' minutes' %}
{%- set cumulative_minutes = var('structuring_cumulative_window_minutes', none) %}
{%- set fan_in_minutes = var('structuring_fan_in_window_minutes', none) %}
with near_threshold as (
    select event_id, event_time, customer_id, account_id, card_token, amount
    from {{ ref('int_transactions') }}
    where {{ structuring_band('amount') }}
),
{%- if cumulative_minutes is not none %}

safe_margin_transfers as (
    select event_id, event_time, customer_id, account_id, card_token, amount
    from {{ ref('int_transactions') }}
    where {{ structuring_safe_margin('amount') }}
),

cumulative_windowed as (
    {{ trailing_totals('safe_margin_transfers', 'account_id', cumulative_minutes ~ ' minutes') }}
),

cumulative as (  -- noqa: ST03
    select
        cast('structuring:cumulative:' || event_id as varchar) as signal_id,
        cast('structuring' as varchar) as signal_type,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        event_time as detected_at,
        window_first_event_at as first_event_at,
        cast(window_count as integer) as event_count,
        window_amount as total_amount,
        cast(
            cast(window_count as varchar) || ' transfers at a safe margin under the '
            || '{{ var("structuring_threshold") }} threshold summing to '
            || cast(window_amount as varchar) || ' within {{ cumulative_minutes }} min on account '
            || account_id as varchar
        ) as reason,
        cast('cumulative' as varchar) as detection_path
    from cumulative_windowed
    where
        window_count >= {{ var('structuring_cumulative_min_transactions') }}
        and window_amount >= {{ var('structuring_threshold') }}
        and {{ within_retention('event_time') }}
),
{%- endif %}
{%- if fan_in_minutes is not none %}

fan_in_transfers as (
    select event_id, event_time, customer_id, account_id, card_token, amount, counterparty_id
    from {{ ref('int_transactions') }}
    where {{ structuring_fan_in_transfer() }}
),

fan_in_pairs as (
    select
        completing.event_id as event_id,
        completing.event_time as event_time,
        completing.customer_id as customer_id,
        completing.account_id as account_id,
        completing.card_token as card_token,
        earlier.event_time as earlier_at,
        earlier.amount as earlier_amount,
        earlier.counterparty_id as earlier_counterparty_id
    from fan_in_transfers as completing
    inner join fan_in_transfers as earlier
        on completing.account_id = earlier.account_id
        and earlier.event_time <= completing.event_time
        and earlier.event_time
        >= completing.event_time - interval '{{ fan_in_minutes }} minutes'
),

fan_in_windowed as (
    select
        event_id as event_id,
        event_time as event_time,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        count(distinct earlier_counterparty_id) as counterparties,
        count(*) as window_count,
        sum(earlier_amount) as window_amount,
        min(earlier_at) as window_first_event_at
    from fan_in_pairs
    group by event_id, event_time, customer_id, account_id, card_token
),

fan_in as (  -- noqa: ST03
    select
        cast('structuring:fan_in:' || event_id as varchar) as signal_id,
        cast('structuring' as varchar) as signal_type,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        event_time as detected_at,
        window_first_event_at as first_event_at,
        cast(window_count as integer) as event_count,
        window_amount as total_amount,
        cast(
            cast(window_count as varchar) || ' transfers from '
            || cast(counterparties as varchar) || ' distinct counterparties within '
            || '{{ fan_in_minutes }} min into account ' || account_id as varchar
        ) as reason,
        cast('fan_in' as varchar) as detection_path
    from fan_in_windowed
    where
        counterparties >= {{ var('structuring_fan_in_min_counterparties') }}
        and counterparties * 100
        >= window_count * {{ var('structuring_fan_in_min_distinct_pct') }}
        and {{ within_retention('event_time') }}
),
{%- endif %}

windowed as (
    {{ trailing_totals('near_threshold', 'account_id', window) }}
),

band as (
    select
        cast('structuring:' || event_id as varchar) as signal_id,
        cast('structuring' as varchar) as signal_type,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        event_time as detected_at,
        window_first_event_at as first_event_at,
        cast(window_count as integer) as event_count,
        window_amount as total_amount,
        cast(
            cast(window_count as varchar) || ' transactions just under the '
            || '{{ var("structuring_threshold") }} threshold within '
            || '{{ var("structuring_window_minutes") }} min on account ' || account_id as varchar
        ) as reason,
        cast('band' as varchar) as detection_path
    from windowed
    where
        window_count >= {{ var('structuring_min_transactions') }}
        and {{ within_retention('event_time') }}
),

final as (
    select * from band
    {%- if cumulative_minutes is not none %}
    union all
    select * from cumulative
    {%- endif %}
    {%- if fan_in_minutes is not none %}
    union all
    select * from fan_in
    {%- endif %}
)

select * from final
