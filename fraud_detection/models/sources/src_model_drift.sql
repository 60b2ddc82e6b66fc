{{ kafka_source('model_drift') }}
