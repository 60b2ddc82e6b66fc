-- Which signal is meant to catch each injected scenario, from the detection contract
-- (common/contract.yml): is_primary marks the scenario's intended signal; the other rows are
-- signals that also catch it and count towards that signal's recall.
with scenario_signals as (
    {%- for scenario, entry in contract()['scenarios'].items() %}
    {%- for signal_type in [entry['primary']] + entry.get('also', []) %}
    select
        cast('{{ scenario }}' as varchar) as scenario,
        cast('{{ signal_type }}' as varchar) as signal_type,
        {{ 'true' if loop.first else 'false' }} as is_primary
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select * from scenario_signals
)

select * from final
