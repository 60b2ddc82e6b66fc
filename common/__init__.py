"""A small shared kit for the services: settings, Kafka, runtime and the detection contract."""
