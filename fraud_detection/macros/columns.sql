{#- `column as column, ...` for each of `columns`, one a line at the select list's indentation: a
    model that ranks rows in one CTE and keeps the first in the next (a first delivery, a newest
    profile) lists its columns once, in a `set`, and both CTEs select them aliased (RisingWave
    wants every expression aliased). `relation` qualifies each column (`relation.column as
    column`, for a select over a join); `expressions` replaces a column's expression, keeping its
    name and place. -#}
{% macro aliased_columns(columns, relation=none, expressions={}) -%}
    {%- for column in columns -%}
        {{ expressions.get(column, (relation ~ '.' if relation else '') ~ column) }} as {{ column }}
        {{- ",\n        " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{#- The columns of a topic's check (models/staging/stg_<topic>_checked.sql) before its
    rejection_reason, in order, but those `excluding` names: the check selects them all and the
    topic's int_ model the valid rows' columns it keeps, so each topic's columns have one home. -#}
{% macro topic_columns(topic, excluding=[]) -%}
    {%- set columns = {
        'alerts': [
            'event_id', 'event_time', 'customer_id', 'account_id', 'alert_type', 'severity',
            'source_system', 'description', 'ingested_at'
        ],
        'card_events': [
            'event_id', 'event_time', 'customer_id', 'account_id', 'card_token', 'event_type',
            'reason', 'ingested_at'
        ],
        'fraud_labels': [
            'instance_id', 'scenario', 'customer_id', 'account_id', 'card_token', 'event_ids',
            'started_at', 'ended_at', 'is_evasive', 'variant', 'ingested_at'
        ],
        'kyc_profiles': [
            'event_id', 'event_time', 'customer_id', 'home_city', 'home_country',
            'home_latitude', 'home_longitude', 'risk_tier', 'kyc_status', 'account_ids',
            'registered_device_ids', 'typical_spend', 'customer_since', 'ingested_at'
        ],
        'logins': [
            'event_id', 'event_time', 'customer_id', 'device_id', 'ip_address', 'latitude',
            'longitude', 'city', 'country', 'auth_method', 'success', 'failure_reason',
            'profile_change', 'ingested_at'
        ],
        'lookalike_labels': [
            'episode_id', 'kind', 'customer_id', 'account_id', 'card_token', 'event_ids',
            'started_at', 'ended_at', 'ingested_at'
        ],
        'transactions': [
            'event_id', 'event_time', 'customer_id', 'account_id', 'card_token', 'amount',
            'currency', 'merchant_id', 'merchant_name', 'merchant_category', 'channel',
            'device_id', 'latitude', 'longitude', 'city', 'country', 'status',
            'counterparty_id', 'ingested_at'
        ]
    } -%}
    {%- for name in excluding if name not in columns[topic] -%}
        {{ exceptions.raise_compiler_error(topic ~ " has no column " ~ name) }}
    {%- endfor -%}
    {{- return(columns[topic] | reject('in', excluding) | list) -}}
{%- endmacro %}
