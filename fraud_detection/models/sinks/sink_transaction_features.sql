{#- Transaction features to Kafka (RisingWave only) for the scorer (scoring/), one message per new
    or changed row; the scorer scores each message once and RisingWave keeps the first score. -#}
create sink if not exists {{ this }} from {{ ref('mv_transaction_features') }}
with (
    connector = 'kafka',
    properties.bootstrap.server = '{{ var("kafka_bootstrap_server") }}',
    topic = '{{ sink_topic("transaction_features") }}'
) format plain encode json (force_append_only = 'true')
