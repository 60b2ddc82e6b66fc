{{ kafka_source('alerts') }}
