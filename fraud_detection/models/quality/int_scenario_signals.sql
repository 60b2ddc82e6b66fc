-- Which signal is meant to catch each injected scenario, from the detection contract
-- (common/contract.yml): is_primary marks the scenario's intended signal; the other rows are
-- signals that also catch it and count towards that signal's recall. A scenario with no signal
-- (a scam the customer authorises) has no row: it is fraud no rule is meant to catch.
{%- set rows = [] %}
{%- for scenario, entry in contract()['scenarios'].items() %}
{%- if entry.get('primary') %}
{%- do rows.append((scenario, entry['primary'], true)) %}
{%- endif %}
{%- for signal_type in entry.get('also', []) %}
{%- do rows.append((scenario, signal_type, false)) %}
{%- endfor %}
{%- endfor %}
with scenario_signals as (
    {%- for scenario, signal_type, is_primary in rows %}
    select
        cast('{{ scenario }}' as varchar) as scenario,
        cast('{{ signal_type }}' as varchar) as signal_type,
        {{ 'true' if is_primary else 'false' }} as is_primary
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select * from scenario_signals
)

select * from final
