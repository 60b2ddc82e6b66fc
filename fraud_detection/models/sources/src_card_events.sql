{{ kafka_source('card_events') }}
