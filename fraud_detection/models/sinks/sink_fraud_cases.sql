{#- Case changes to Kafka (RisingWave only). Appending every change of the case view: an opened or
    escalated case emits a message; closed cases (deletes) are dropped by force_append_only. Keyed
    by case_id: a case's changes stay in one partition, so the alerter reads them in order. -#}
create sink if not exists {{ this }} as
select
    case_id as case_id,
    account_id as account_id,
    customer_id as customer_id,
    severity as severity,
    risk_score as risk_score,
    recommended_action as recommended_action,
    reason_codes as reason_codes,
    opened_at as opened_at,
    updated_at as updated_at
from {{ ref('mv_open_fraud_cases') }}
with (
    connector = 'kafka',
    properties.bootstrap.server = '{{ var("kafka_bootstrap_server") }}',
    topic = 'fraud_cases',
    primary_key = 'case_id'
) format plain encode json (force_append_only = 'true')
