"""scripts/create_topics.sh: the rpk calls it makes, run by a POSIX sh (dash, as in the image).

rpk itself cannot run here (no Redpanda); a stand-in on PATH records each call and can fail one.
What rpk does with the calls is Redpanda's documented behaviour: `--if-not-exists` leaves an
existing topic alone, `-c` sets a config at creation, `alter-config --set` changes one after.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from common.kafka import TOPIC_CONFIGS
from tests.stack.stack_files import ROOT

SCRIPT = ROOT / "scripts" / "create_topics.sh"
STACK_TOPICS = [
    "transactions",
    "logins",
    "card_events",
    "alerts",
    "kyc_profiles",
    "fraud_labels",
    "lookalike_labels",
    "fraud_cases",
    "transactions.flagged",
    "fraud_cases.dlq",
    "transaction_features",
    "ml_scores",
    "model_drift",
    "transaction_features.dlq",
    "decisions",
]
FAKE_RPK = """#!/bin/sh
printf '%s\\n' "$*" >> "$RPK_LOG"
case "$*" in *"$RPK_FAIL_ON"*) [ -n "$RPK_FAIL_ON" ] && { echo "rpk: refused" >&2; exit 1; } ;; esac
exit 0
"""


def _run(tmp_path: Path, fail_on: str = "") -> tuple[subprocess.CompletedProcess[str], list[str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    rpk = bin_dir / "rpk"
    rpk.write_text(FAKE_RPK, encoding="utf-8")
    rpk.chmod(0o755)
    log = tmp_path / "rpk.log"
    log.unlink(missing_ok=True)
    environment = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "RPK_LOG": str(log),
        "RPK_FAIL_ON": fail_on,
        "BROKERS": "redpanda:9092",
        "TOPIC_PARTITIONS": "4",
        "TOPIC_REPLICATION_FACTOR": "1",
    }
    result = subprocess.run(
        ["/bin/sh", str(SCRIPT)], env=environment, capture_output=True, text=True, check=False
    )
    calls = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return result, calls


def _config() -> str:
    ((key, value),) = TOPIC_CONFIGS.items()
    return f"{key}={value}"


def test_every_topic_is_created_if_missing_and_switched_to_broker_time(tmp_path: Path) -> None:
    result, calls = _run(tmp_path)

    assert result.returncode == 0, result.stderr
    brokers = "-X brokers=redpanda:9092"
    expected = []
    for topic in STACK_TOPICS:
        expected.append(f"topic create {topic} --if-not-exists -p 4 -r 1 -c {_config()} {brokers}")
        expected.append(f"topic alter-config {topic} --set {_config()} {brokers}")
    assert calls == expected


@pytest.mark.parametrize("failing", ["topic create fraud_cases", "alter-config logins"])
def test_a_refused_call_stops_the_script_with_an_error(tmp_path: Path, failing: str) -> None:
    result, calls = _run(tmp_path, fail_on=failing)

    assert result.returncode != 0
    assert "rpk: refused" in result.stderr
    assert failing in calls[-1]


def test_the_script_sets_the_config_producers_topics_sets() -> None:
    text = SCRIPT.read_text(encoding="utf-8")
    assert re.search(rf'^TIMESTAMP_CONFIG="{re.escape(_config())}"$', text, re.MULTILINE)


def test_the_script_is_posix_sh() -> None:
    """The redpanda image runs it with /bin/sh; with this shebang shellcheck (test_scripts.py)
    checks it as POSIX sh, so a bashism (pipefail, arrays, [[ ]]) fails the suite."""
    assert SCRIPT.read_text(encoding="utf-8").startswith("#!/bin/sh\n")
