{{ kafka_source('fraud_labels') }}
