{#- Readers of the detection contract (common/contract.yml, as macros/contract.sql): the names
    signals, scenarios, outcomes, channels and topics share with the services. -#}
{% macro signal_types() -%}
{{ return(contract()['signals'].keys() | list) }}
{%- endmacro %}

{% macro signal_models() -%}
{{ return(contract()['signals'].values() | map(attribute='model') | list) }}
{%- endmacro %}

{#- The members models (transactions per detection) of the signals that have them. -#}
{% macro signal_member_models() -%}
{{ return(contract()['signals'].values() | selectattr('members', 'defined')
    | map(attribute='members') | list) }}
{%- endmacro %}

{% macro case_outcomes() -%}
{{ return(contract()['outcomes'].keys() | list) }}
{%- endmacro %}

{#- `'a', 'b'`: the contract's list (or the keys of its mapping) `key` as SQL string literals. -#}
{% macro contract_strings(key) -%}
{%- for value in contract()[key] %}'{{ value }}'{{ ", " if not loop.last }}{% endfor -%}
{%- endmacro %}

{#- `'a', 'b'`: a rule set's list var (e.g. geo_location_channels) as SQL string literals. -#}
{% macro sql_strings(values) -%}
{%- for value in values %}'{{ value }}'{{ ", " if not loop.last }}{% endfor -%}
{%- endmacro %}

{#- The Kafka topic of sink `name`: the var `<name>_topic` when set, else the contract's. -#}
{% macro sink_topic(name) -%}
{{ var(name ~ '_topic', contract()['topics']['sinks'][name]) }}
{%- endmacro %}

{#- The rule set's risk weights (var `risk_weights`) in the contract's signal order; the rule set
    must weigh exactly the contract's signal types. -#}
{% macro risk_weights() -%}
{%- set given = var('risk_weights') -%}
{%- set types = signal_types() -%}
{%- if given.keys() | sort != types | sort -%}
    {{ exceptions.raise_compiler_error(
        'var risk_weights must weigh exactly the signal types of common/contract.yml: '
        ~ types | join(', ')) }}
{%- endif -%}
{%- set weights = {} -%}
{%- for signal_type in types -%}
    {%- do weights.update({signal_type: given[signal_type]}) -%}
{%- endfor -%}
{{ return(weights) }}
{%- endmacro %}
