"""Publishers of records to Kafka (or Redpanda): the interface (`base`), one module per client
library, and `factory.open_publisher`, which picks the one KAFKA_CLIENT names."""
