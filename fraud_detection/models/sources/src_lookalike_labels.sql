{{ kafka_source('lookalike_labels') }}
