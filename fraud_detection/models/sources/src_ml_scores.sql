{{ kafka_source('ml_scores') }}
