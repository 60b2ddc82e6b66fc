-- Every consumed message of every topic in retention: its topic, id, times and rejection reason.
{%- set checked_models = [
    ('transactions', 'stg_transactions_checked', 'event_id', 'event_time'),
    ('logins', 'stg_logins_checked', 'event_id', 'event_time'),
    ('card_events', 'stg_card_events_checked', 'event_id', 'event_time'),
    ('alerts', 'stg_alerts_checked', 'event_id', 'event_time'),
    ('kyc_profiles', 'stg_kyc_profiles_checked', 'event_id', 'event_time'),
    ('fraud_labels', 'stg_fraud_labels_checked', 'instance_id', 'ended_at'),
] %}
with
{%- for topic, model, id_column, time_column in checked_models %}
{{ topic }} as (
    select
        '{{ topic }}' as topic,
        {{ id_column }} as event_id,
        {{ time_column }} as event_time,
        ingested_at as ingested_at,
        rejection_reason as rejection_reason
    from {{ ref(model) }}
    {%- if topic == 'kyc_profiles' %}
    {#- Profiles are kept for good in staging (the customer's state); counted like events. #}
    where {{ within_input_retention('ingested_at') }}
    {%- endif %}
),
{%- endfor %}

final as (
{%- for topic, model, id_column, time_column in checked_models %}
    select * from {{ topic }}
    {%- if not loop.last %}
    union all
    {%- endif %}
{%- endfor %}
)

select * from final
