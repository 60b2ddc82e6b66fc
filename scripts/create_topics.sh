#!/bin/sh
# Create every topic of the pipeline if it does not exist yet (runs in the redpanda image).
# Idempotent: a second `make up` finds the topics and leaves them, and their data, alone.
set -eu

BROKERS="${BROKERS:-localhost:19092}"
PARTITIONS="${TOPIC_PARTITIONS:-3}"
REPLICAS="${TOPIC_REPLICATION_FACTOR:-1}"

# Inputs of the producer, outputs of RisingWave's sinks, the alerter's dead letters, and the
# scorer's topics (features in, scores and drift reports out).
TOPICS="transactions logins card_events alerts kyc_profiles fraud_labels
lookalike_labels fraud_cases transactions.flagged fraud_cases.dlq transaction_features
ml_scores model_drift"

existing="$(rpk topic list -X brokers="$BROKERS" | awk 'NR > 1 { print $1 }')"
for topic in $TOPICS; do
    if printf '%s\n' "$existing" | grep -qx "$topic"; then
        echo "topic $topic: exists"
    else
        rpk topic create "$topic" -p "$PARTITIONS" -r "$REPLICAS" -X brokers="$BROKERS"
    fi
done
