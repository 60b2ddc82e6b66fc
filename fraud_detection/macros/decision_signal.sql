{#- The signal of the decision service's `outcome` (review or decline) decisions, for
mv_decision_reviews and mv_decision_declines. A decision that only echoes the views is no
detection: when the account already had an open case the decision adds nothing to it (and
counting it would keep the case open for as long as the account pays, since an open case makes
the service review every payment), and a degraded decision rests on the fallback policy, not on
the payment. -#}
{% macro decision_signal(outcome) -%}
with decided as (
    select
        event_id as event_id,
        event_time as event_time,
        customer_id as customer_id,
        account_id as account_id,
        -- Numeric, as every signal's total_amount (the topic carries a double).
        cast(amount as numeric) as amount,
        reason_codes as reason_codes
    from {{ ref('int_decisions') }}
    where
        outcome = '{{ outcome }}'
        and not degraded
        and open_case_id is null
        and account_id is not null
),

final as (
    select
        'decision_{{ outcome }}:' || event_id as signal_id,
        'decision_{{ outcome }}' as signal_type,
        customer_id as customer_id,
        account_id as account_id,
        cast(null as varchar) as card_token,
        event_time as detected_at,
        event_time as first_event_at,
        1 as event_count,
        amount as total_amount,
        'decision service: {{ outcome }} of ' || cast(amount as varchar) || ' ('
        || coalesce(reason_codes, '') || ')' as reason,
        event_id as event_id
    from decided
    where {{ within_retention('event_time') }}
)

select * from final
{%- endmacro %}
