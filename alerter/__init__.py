"""The alerter: pushes new high/critical fraud cases from Kafka to Slack, a SIEM and stdout."""
