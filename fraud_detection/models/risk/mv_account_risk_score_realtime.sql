-- Risk per account: a noisy-or of one weight per signal type seen on the account in retention,
-- 1 - prod(1 - weight), so one signal never exceeds its weight and agreeing signals compound.
{%- set weights = risk_weights() %}
{%- set contributions = [] %}
{%- for signal_type in weights %}
{%- do contributions.append(signal_type ~ '_contribution') %}
{%- endfor %}
with signals as (
    select signal_type, customer_id, account_id, detected_at
    from {{ ref('mv_signals') }}
    where account_id is not null
),

per_account as (
    select
        account_id as account_id,
        min(customer_id) as customer_id,
        {%- for signal_type in weights %}
        max(case when signal_type = '{{ signal_type }}' then 1 else 0 end) as has_{{ signal_type }},
        {%- endfor %}
        count(*) as signal_count,
        min(detected_at) as first_signal_at,
        max(detected_at) as last_signal_at
    from signals
    group by account_id
),

contributions as (
    select
        account_id as account_id,
        customer_id as customer_id,
        {%- for signal_type, weight in weights.items() %}
        cast(has_{{ signal_type }} * {{ weight }} as numeric) as {{ signal_type }}_contribution,
        {%- endfor %}
        signal_count as signal_count,
        first_signal_at as first_signal_at,
        last_signal_at as last_signal_at
    from per_account
),

scored as (
    select
        account_id as account_id,
        customer_id as customer_id,
        {{ noisy_or(contributions) }} as risk_score,
        {%- for signal_type in weights %}
        {{ signal_type }}_contribution as {{ signal_type }}_contribution,
        {%- endfor %}
        concat_ws(','
            {%- for signal_type in weights %},
            case when {{ signal_type }}_contribution > 0 then '{{ signal_type }}' end
            {%- endfor %}
        ) as reason_codes,
        cast(signal_count as integer) as signal_count,
        first_signal_at as first_signal_at,
        last_signal_at as last_signal_at
    from contributions
),

final as (
    select
        account_id as account_id,
        customer_id as customer_id,
        risk_score as risk_score,
        case
            when risk_score >= {{ var('risk_level_critical') }} then 'critical'
            when risk_score >= {{ var('risk_level_high') }} then 'high'
            when risk_score >= {{ var('risk_level_medium') }} then 'medium'
            else 'low'
        end as risk_level,
        {%- for signal_type in weights %}
        {{ signal_type }}_contribution as {{ signal_type }}_contribution,
        {%- endfor %}
        reason_codes as reason_codes,
        signal_count as signal_count,
        first_signal_at as first_signal_at,
        last_signal_at as last_signal_at
    from scored
)

select * from final
