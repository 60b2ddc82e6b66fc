-- Which transactions make up each detection: (signal_id, signal_type, event_id), the union of
-- the signals' members models named in the detection contract (common/contract.yml). Login- and
-- alert-based signals (login_storm, correlated_alerts) involve no transaction and have none.
{%- set member_models = signal_member_models() %}
with
{%- for member_model in member_models %}
{{ member_model }} as (
    select
        signal_id as signal_id,
        signal_type as signal_type,
        event_id as event_id
    from {{ ref(member_model) }}
),
{%- endfor %}

unioned as (
{%- for member_model in member_models %}
    select * from {{ member_model }}
    {%- if not loop.last %}
    union all
    {%- endif %}
{%- endfor %}
),

final as (
    select * from unioned
)

select * from final
