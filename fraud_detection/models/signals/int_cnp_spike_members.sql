-- The transactions that make up each card-testing detection: the card's card-not-present
-- transactions in its window (drip: those at most card_testing_max_amount); a merchant
-- detection: the small card-not-present declines at its merchant in its window, of every card.
{%- set small = var('card_testing_max_amount') %}
with detections as (
    select
        signal_id, signal_type, card_token, merchant_id, first_event_at, detected_at,
        detection_path
    from {{ ref('mv_cnp_spike') }}
),

cnp_transactions as (
    select event_id, event_time, card_token, merchant_id, amount, status
    from {{ ref('int_transactions') }}
    where is_card_not_present
),

per_card as (
    select
        detections.signal_id as signal_id,
        detections.signal_type as signal_type,
        cnp_transactions.event_id as event_id
    from detections
    inner join cnp_transactions
        on {{ in_detection_window('detections', 'cnp_transactions', 'card_token') }}
    where
        detections.detection_path = 'burst'
        {%- if small is not none %}
        or (
            detections.detection_path = 'drip'
            and cnp_transactions.amount <= {{ small }}
        )
        {%- endif %}
),
{%- if small is not none %}

at_merchant as (  -- noqa: ST03
    select
        detections.signal_id as signal_id,
        detections.signal_type as signal_type,
        cnp_transactions.event_id as event_id
    from detections
    inner join cnp_transactions
        on {{ in_detection_window('detections', 'cnp_transactions', 'merchant_id') }}
    where
        detections.detection_path = 'merchant'
        and cnp_transactions.amount <= {{ small }}
        and cnp_transactions.status = 'declined'
),
{%- endif %}

final as (
    select * from per_card
    {%- if small is not none %}
    union all
    select * from at_merchant  -- noqa: AM04
    {%- endif %}
)

select * from final  -- noqa: AM04
