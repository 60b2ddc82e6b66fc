{{ kafka_source('transactions') }}
