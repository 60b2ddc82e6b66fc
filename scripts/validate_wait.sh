#!/usr/bin/env bash
# `make validate-wait`: run `make validate` until it passes, within VALIDATE_DEADLINE_SECONDS
# (default 300), retrying every VALIDATE_RETRY_SECONDS (default 10). A deadline, not a count of
# attempts: one slow attempt cannot stretch the wait (each runs under the time that is left).
set -euo pipefail

deadline_s="${VALIDATE_DEADLINE_SECONDS:-300}"
retry_s="${VALIDATE_RETRY_SECONDS:-10}"
deadline=$((SECONDS + deadline_s))
while true; do
    remaining=$((deadline - SECONDS))
    if ((remaining <= 0)); then
        echo "::error::the stack did not validate within ${deadline_s} s"
        exit 1
    fi
    if timeout "$remaining" make validate; then exit 0; fi
    echo "not yet (${remaining} s were left), retrying in ${retry_s} s"
    sleep "$retry_s"
done
