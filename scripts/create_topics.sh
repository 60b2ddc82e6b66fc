#!/bin/sh
# Create every topic of the pipeline if it does not exist yet (runs in the redpanda image, /bin/sh).
# Idempotent: a second `make up` finds the topics and leaves them, and their data, alone.
# Every topic stamps records with the broker's clock (LogAppendTime): RisingWave's `ingested_at`
# is then when an event arrived, whatever the producer's clock says. producers/topics.py sets the
# same config; a test keeps the two equal.
set -eu

BROKERS="${BROKERS:-localhost:19092}"
PARTITIONS="${TOPIC_PARTITIONS:-3}"
REPLICAS="${TOPIC_REPLICATION_FACTOR:-1}"
TIMESTAMP_CONFIG="message.timestamp.type=LogAppendTime"

# Inputs of the producer, outputs of RisingWave's sinks, the alerter's dead letters, and the
# scorer's topics (features in, scores, drift reports and dead letters out), the decision service's
# decisions.
TOPICS="transactions logins card_events alerts kyc_profiles fraud_labels
lookalike_labels fraud_cases transactions.flagged fraud_cases.dlq transaction_features
ml_scores model_drift transaction_features.dlq decisions"

for topic in $TOPICS; do
    rpk topic create "$topic" --if-not-exists -p "$PARTITIONS" -r "$REPLICAS" \
        -c "$TIMESTAMP_CONFIG" -X brokers="$BROKERS"
    # A topic from before this config (created with CreateTime) is switched too; setting the
    # value it already has changes nothing, so this is safe on every start.
    rpk topic alter-config "$topic" --set "$TIMESTAMP_CONFIG" -X brokers="$BROKERS"
done
