-- Every detection of every signal, in the common signal columns. On PostgreSQL the post-hook
-- appends new detections to the signal log, as sink_signal_log does on RisingWave.
{{ config(post_hook="{{ append_to_signal_log() }}") }}
{#- The signal models, from the detection contract (common/contract.yml). -#}
{%- set signal_models = signal_models() %}
with
{%- for signal_model in signal_models %}
{{ signal_model }} as (
    select
        signal_id as signal_id,
        signal_type as signal_type,
        customer_id as customer_id,
        account_id as account_id,
        card_token as card_token,
        detected_at as detected_at,
        first_event_at as first_event_at,
        event_count as event_count,
        total_amount as total_amount,
        reason as reason
    from {{ ref(signal_model) }}
),
{%- endfor %}

unioned as (
{%- for signal_model in signal_models %}
    select * from {{ signal_model }}
    {%- if not loop.last %}
    union all
    {%- endif %}
{%- endfor %}
),

final as (
    select * from unioned
)

select * from final
