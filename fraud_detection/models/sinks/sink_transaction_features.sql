{#- Transaction features to Kafka (RisingWave only) for the scorer (scoring/), keyed by event_id.
    Only fresh rows are sunk: a feature row changes when a late transaction of its account lands
    in its history (feature_history_hours), and could again when its inputs leave retention
    (feature_history_hours is kept an hour inside the input retention, so no fresh row changes
    then). force_append_only turns every change into a new message, so without the bound each
    transaction would be scored a second time when it expires. -#}
create sink if not exists {{ this }} as
select *
from {{ ref('mv_transaction_features') }}
where ingested_at > now() - interval '1 hour'
with (
    connector = 'kafka',
    properties.bootstrap.server = '{{ var("kafka_bootstrap_server") }}',
    topic = '{{ sink_topic("transaction_features") }}',
    primary_key = 'event_id'
) format plain encode json (force_append_only = 'true')
