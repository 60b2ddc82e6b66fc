{{ kafka_source('decisions') }}
