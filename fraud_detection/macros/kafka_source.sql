{#- A topic's raw relation. RisingWave reads Kafka through a SOURCE; PostgreSQL reads the table the
    backtest loader fills. Both take their columns from models/sources/_raw_sources.yml. -#}
{% macro kafka_source(topic) %}
    {%- if topic not in contract()['topics']['sources'] -%}
        {{ exceptions.raise_compiler_error(
            topic ~ ' is not a source topic of common/contract.yml') }}
    {%- endif -%}
    {{ return(adapter.dispatch('kafka_source', 'fraud_detection')(topic)) }}
{% endmacro %}

{% macro raw_columns(topic) %}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set node = graph.sources['source.fraud_detection.raw.' ~ topic] -%}
    {{ return(node.columns.values() | list) }}
{% endmacro %}

{% macro risingwave__kafka_source(topic) %}
create source if not exists {{ this }} (
    {%- for column in raw_columns(topic) %}
    {{ column.name }} {{ column.data_type }}{{ "," if not loop.last }}
    {%- endfor %}
)
include timestamp as ingested_at
with (
    connector = 'kafka',
    topic = '{{ topic }}',
    properties.bootstrap.server = '{{ var("kafka_bootstrap_server") }}',
    scan.startup.mode = 'earliest'
) format plain encode json
{% endmacro %}

{% macro default__kafka_source(topic) %}
select
    {%- for column in raw_columns(topic) %}
    {{ column.name }} as {{ column.name }},
    {%- endfor %}
    ingested_at as ingested_at
from {{ source('raw', topic) }}
{% endmacro %}
