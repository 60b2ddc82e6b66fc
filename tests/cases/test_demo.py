"""`make demo` end to end, as a newcomer runs it: started, the page fetched with the printed token,
stopped with Ctrl-C (SIGINT to its process group), nothing left running; `make demo-clean`."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A short replay keeps the test fast; the demo's default is an hour.
MINUTES = "5"
START_TIMEOUT_S = 600
# The suite runs in the installed environment (make test installs first): make must not try to
# reinstall it from inside a test (-o: treat the install stamp as up to date).
MAKE = ["make", "--no-print-directory", "-o", ".venv/.installed"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _running_with(path: Path) -> list[str]:
    """Command lines of live processes that name `path` (the demo's PostgreSQL does: -D)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if str(path) in cmdline:
            found.append(f"{proc.name}: {cmdline}")
    return found


def _in_group(group: int) -> list[str]:
    """Live processes of process group `group` (zombies excluded), with their command lines."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == group and fields[0] != "Z":
            found.append(f"{proc.name}: {cmdline}")
    return found


def _get(url: str, token: str) -> str:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        return response.read().decode()


def test_make_demo_serves_the_page_and_stops_cleanly_on_ctrl_c(
    embedded_postgres: None, tmp_path: Path
) -> None:
    data = tmp_path / "demo"
    port = _free_port()
    variables = [f"DEMO_DIR={data}", f"DEMO_MINUTES={MINUTES}", f"DEMO_PORT={port}"]
    log = tmp_path / "demo.stderr"
    demo = subprocess.Popen(
        [*MAKE, "demo", *variables],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=log.open("w"),  # a file: an unread pipe could fill and block the demo
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    try:
        printed: list[str] = []
        deadline = time.monotonic() + START_TIMEOUT_S
        assert demo.stdout is not None
        while not any(line.startswith("Token") for line in printed):
            assert time.monotonic() < deadline, f"no token printed: {printed}"
            line = demo.stdout.readline()
            assert line or demo.poll() is None, f"demo exited: {log.read_text()}"
            printed.append(line.strip())
        url = re.search(r"http://127\.0\.0\.1:\d+/ui/cases", "\n".join(printed))
        token = printed[-1].rsplit(": ", 1)[1]
        assert url and url.group(0) == f"http://127.0.0.1:{port}/ui/cases"

        queue = _get(url.group(0), token)
        case_ids = re.findall(r'data-case-id="([^"]+)"', queue)
        assert case_ids, "the replayed minutes opened cases"
        case = _get(f"{url.group(0)}/{case_ids[0]}", token)
        assert 'id="why-flagged"' in case and "<svg" in case
        assert _running_with(data), "the embedded PostgreSQL runs from the demo's directory"
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGINT)  # Ctrl-C in a terminal
        try:
            demo.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGTERM)  # it stops its database on SIGTERM too
            demo.communicate(timeout=60)
            raise
    errors = log.read_text()
    assert "generated and loaded" in errors, "progress is shown"
    assert "database stopped" in errors
    left = _running_with(data)
    assert not left, f"still running after Ctrl-C: {left}"
    # The database's own children exit just after the demo does: allow them a moment.
    deadline = time.monotonic() + 15.0
    while (group := _in_group(demo.pid)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not group, f"still running in the demo's group: {group}"
    assert (data / "replay.json").exists(), "the replay is kept for the next start"

    subprocess.run([*MAKE, "demo-clean", f"DEMO_DIR={data}"], cwd=ROOT, check=True)
    assert not data.exists()
