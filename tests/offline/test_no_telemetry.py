"""Nothing phones home: a dbt run makes no outbound connection attempt.

dbt runs in a subprocess under an audit hook that records every DNS lookup and socket connect
to a host that is not this machine (loopback and unix sockets are local) and blocks it, so even
the control run, which turns dbt's anonymous usage events on, sends nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

PROBE = """
import ipaddress, json, sys

attempts = []


def local(host):
    if isinstance(host, bytes):
        host = host.decode()
    if host is None or host == "" or host == "localhost":
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def audit(event, args):
    if event == "socket.getaddrinfo" and not local(args[0]):
        attempts.append(f"getaddrinfo {args[0]!r}")
        raise OSError("outbound lookup blocked by the test")
    if event == "socket.connect" and isinstance(args[1], tuple) and not local(args[1][0]):
        attempts.append(f"connect {args[1]!r}")
        raise OSError("outbound connection blocked by the test")


sys.addaudithook(audit)
mode, target_dir = sys.argv[1], sys.argv[2]
from pathlib import Path
from offline.dbt import dbt_args, invoke

args = dbt_args("parse", target="postgres", variables={}, target_dir=Path(target_dir))
if mode == "runner":
    invoke(args, {})
else:
    from dbt.cli.main import dbtRunner

    extra = ["--send-anonymous-usage-stats"] if mode == "telemetry-on" else []
    result = dbtRunner().invoke([*args, *extra])
    assert result.success, result.exception
print(json.dumps(attempts))
"""


def _attempts(mode: str, tmp_path: Path) -> list[str]:
    home = tmp_path / "home"
    home.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DO_NOT_TRACK", "DBT_SEND_ANONYMOUS_USAGE_STATS"}
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE, mode, str(tmp_path / "target")],
        cwd=ROOT,
        env={**env, "HOME": str(home)},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    if mode != "telemetry-on":
        # dbt's tracker keeps an anonymous user id in ~/.dbt/.user.yml once it is on.
        assert not (home / ".dbt" / ".user.yml").exists()
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_offline_dbt_runner_makes_no_outbound_attempt(tmp_path: Path) -> None:
    assert _attempts("runner", tmp_path) == []


def test_the_project_flag_alone_keeps_a_bare_dbt_call_quiet(tmp_path: Path) -> None:
    # No DO_NOT_TRACK in the environment: dbt_project.yml's flags must be enough.
    assert _attempts("bare", tmp_path) == []


def test_the_audit_sees_dbt_phoning_home_when_it_is_allowed_to(tmp_path: Path) -> None:
    attempts = _attempts("telemetry-on", tmp_path)
    assert attempts, "the control run with usage stats on made no outbound attempt"
    assert any("sinter-collect" in attempt for attempt in attempts)
