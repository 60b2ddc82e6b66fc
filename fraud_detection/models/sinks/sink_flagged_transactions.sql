{#- Flagged transactions to Kafka (RisingWave only), one message per new or changed row, keyed by
    event_id so that a transaction's changes stay in one partition, in order. -#}
create sink if not exists {{ this }} from {{ ref('mv_flagged_transactions') }}
with (
    connector = 'kafka',
    properties.bootstrap.server = '{{ var("kafka_bootstrap_server") }}',
    topic = 'transactions.flagged',
    primary_key = 'event_id'
) format plain encode json (force_append_only = 'true')
