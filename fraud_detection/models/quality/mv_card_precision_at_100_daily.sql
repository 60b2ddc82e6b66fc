-- Card Precision@100 per UTC day (Le Borgne et al., Fraud Detection Handbook): of the 100 cards
-- with the highest risk that day, the share that are compromised. A card's risk for a day is
-- its account's risk from that day's detections (macro noisy_or of var `risk_weights`, as
-- mv_account_risk_score_realtime); a card is compromised that day when one of its transactions
-- of that day is in a fraud label's event_ids. Ties rank by card_token; on a day with fewer than
-- 100 cards, the share is of all of them.
{%- set weights = risk_weights() %}
{%- set terms = [] %}
{%- for signal_type, weight in weights.items() %}
{%- do terms.append('cast(has_' ~ signal_type ~ ' * ' ~ weight ~ ' as numeric)') %}
{%- endfor %}
{%- set top_cards = 100 %}
with transactions as (
    select event_id, event_time, account_id, card_token from {{ ref('int_transactions') }}
    where card_token is not null
),

signals as (
    select signal_type, account_id, detected_at from {{ ref('mv_signals') }}
    where account_id is not null
),

labels as (
    select instance_id, event_ids from {{ ref('int_fraud_labels') }}
),

fraud_event_ids as (
    select
        instance_id as instance_id,
        unnest(event_ids) as event_id
    from labels
),

card_days as (
    select
        window_start as day_start,
        card_token as card_token,
        account_id as account_id,
        count(*) as transactions
    from {{ tumble('transactions', 'event_time', '1 day') }} as day_windows
    group by window_start, card_token, account_id
),

fraud_transactions as (
    select
        transactions.event_time as event_time,
        transactions.card_token as card_token
    from transactions
    inner join fraud_event_ids
        on transactions.event_id = fraud_event_ids.event_id
),

compromised_card_days as (
    select
        window_start as day_start,
        card_token as card_token,
        count(*) as fraud_transactions
    from {{ tumble('fraud_transactions', 'event_time', '1 day') }} as day_windows
    group by window_start, card_token
),

account_days as (
    select
        window_start as day_start,
        account_id as account_id,
        {%- for signal_type in weights %}
        max(case when signal_type = '{{ signal_type }}' then 1 else 0 end) as has_{{ signal_type }}
        {{- "," if not loop.last }}
        {%- endfor %}
    from {{ tumble('signals', 'detected_at', '1 day') }} as day_windows
    group by window_start, account_id
),

account_day_risk as (
    select
        day_start as day_start,
        account_id as account_id,
        {{ noisy_or(terms) }} as risk_score
    from account_days
),

card_risk as (
    select
        card_days.day_start as day_start,
        card_days.card_token as card_token,
        max(coalesce(account_day_risk.risk_score, 0)) as card_risk
    from card_days
    left join account_day_risk
        on card_days.account_id = account_day_risk.account_id
        and card_days.day_start = account_day_risk.day_start
    group by card_days.day_start, card_days.card_token
),

judged as (
    select
        card_risk.day_start as day_start,
        card_risk.card_token as card_token,
        card_risk.card_risk as card_risk,
        compromised_card_days.card_token is not null as is_compromised
    from card_risk
    left join compromised_card_days
        on card_risk.day_start = compromised_card_days.day_start
        and card_risk.card_token = compromised_card_days.card_token
),

ranked as (
    select
        day_start as day_start,
        card_token as card_token,
        card_risk as card_risk,
        is_compromised as is_compromised,
        row_number() over (
            partition by day_start order by card_risk desc, card_token asc
        ) as card_rank
    from judged
),

top_cards as (
    select day_start, card_risk, is_compromised from ranked
    where card_rank <= {{ top_cards }}
),

per_day_top as (
    select
        day_start as day_start,
        count(*) as cards_ranked,
        count(*) filter (where card_risk > 0) as cards_with_risk,
        count(*) filter (where is_compromised) as compromised_in_top
    from top_cards
    group by day_start
),

per_day_compromised as (
    select
        day_start as day_start,
        count(*) as compromised_cards
    from compromised_card_days
    group by day_start
),

final as (
    select
        per_day_top.day_start as day_start,
        per_day_top.cards_ranked as cards_ranked,
        per_day_top.cards_with_risk as cards_with_risk,
        per_day_top.compromised_in_top as compromised_in_top,
        coalesce(per_day_compromised.compromised_cards, 0) as compromised_cards,
        -- Undefined (null) on a day when no card has any risk: the top 100 are then an arbitrary
        -- pick among ties at zero, not a ranking.
        case
            when per_day_top.cards_with_risk > 0
                then round(
                    cast(per_day_top.compromised_in_top as numeric)
                    / cast(per_day_top.cards_ranked as numeric), 4
                )
        end as card_precision_at_100
    from per_day_top
    left join per_day_compromised
        on per_day_top.day_start = per_day_compromised.day_start
)

select * from final
