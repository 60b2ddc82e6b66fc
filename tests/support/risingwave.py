"""One RisingWave v2.8.5 server (`risingwave single_node`, in memory) on loopback.

The binary is the build in ../shared/bin (`make engine` unpacks it into .cache/bin with its
checksum verified). Its internal ports are fixed (meta 5690, compute 5688, compactor 6660,
dashboard 5691), so one server runs per machine at a time: the engine tests share one per session.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import psycopg2

from tests.support.kafka_broker import REPO_ROOT
from tests.support.server_process import ServerProcess

BINARY = REPO_ROOT / ".cache" / "bin" / "risingwave"
HOST = "127.0.0.1"
PORT = 4566
# The listeners that otherwise bind every interface (shared/bin/README.md).
HEALTH_ADDR = f"{HOST}:6786"
WEBHOOK_ADDR = f"{HOST}:4560"
PROMETHEUS_ADDR = f"{HOST}:1250"
# The unoptimised build on a 2-core machine: one worker per fragment keeps the ~70 streaming
# jobs' actors (and each barrier's round through them) as few as possible.
PARALLELISM = 1
TOTAL_MEMORY_BYTES = 4 * 1024**3
# Settings of this test engine only (docs/engine.md has the measurements; the compose stack keeps
# RisingWave's defaults). A CREATE waits a few barrier rounds, and a round through ~80 jobs on
# this build can take longer than the default 1 s interval: with a fixed interval barriers then
# queue (25-32, once 115, in flight) and every CREATE and FLUSH waits behind the queue. With at
# most IN_FLIGHT_BARRIERS in flight the meta node skips a periodic barrier while they are
# (streaming.in_flight_barrier_nums, a config-file setting; CREATE and FLUSH barriers are never
# skipped), so barriers come every second when the engine keeps up and as fast as it can when it
# does not. Several jobs may be created at once (RisingWave's default is one): the dbt job's
# threads wait out their barrier rounds together.
SYSTEM_PARAMS: dict[str, int] = {
    "barrier_interval_ms": 1000,
    "max_concurrent_creating_streaming_jobs": 4,
}
IN_FLIGHT_BARRIERS = 2
DBT_THREADS = 4
CONFIG = f"""[streaming]
in_flight_barrier_nums = {IN_FLIGHT_BARRIERS}
"""


class EngineError(RuntimeError):
    """The server did not start or stop; the message carries the end of its log."""


def missing_prerequisite(binary: Path = BINARY) -> str | None:
    """Why the engine cannot start on this machine, or None when it can."""
    if sys.platform != "linux":
        return "the RisingWave build in ../shared/bin runs on Linux x86-64 only"
    if not os.access(binary, os.X_OK):
        return f"no RisingWave server at {binary}: run `make engine` (needs ../shared/bin)"
    return None


# The dbt job gives root this password (RW_PASSWORD) once it has built everything; before, root
# has none and RisingWave asks for none, so presenting it is harmless.
ROOT_PASSWORD = "engine-test-root"


def dsn(user: str = "root", password: str | None = None, database: str = "dev") -> str:
    if password is None:
        password = ROOT_PASSWORD if user == "root" else ""
    secret = f" password={password}" if password else ""
    return f"host={HOST} port={PORT} user={user}{secret} dbname={database} connect_timeout=5"


class RisingWave(ServerProcess):
    """`risingwave single_node --in-memory`: nothing persists past stop()."""

    name = "engine"
    error = EngineError
    poll_s = 0.5

    def __init__(self, work_dir: Path, binary: Path = BINARY) -> None:
        super().__init__()
        self._dir = work_dir
        self._binary = binary
        self._log = work_dir / "risingwave.log"
        self._config = work_dir / "risingwave.toml"

    def dsn(self, user: str = "root", password: str | None = None) -> str:
        return dsn(user, password)

    def rss_bytes(self) -> int:
        """The server's resident memory now (one process holds every node)."""
        if self._process is None:
            return 0
        status = Path(f"/proc/{self._process.pid}/status").read_text()
        line = next(item for item in status.splitlines() if item.startswith("VmRSS:"))
        return int(line.split()[1]) * 1024

    def _launch(self) -> None:
        self._dir.mkdir(parents=True, exist_ok=True)
        self._config.write_text(CONFIG, encoding="utf-8")
        env = {
            **os.environ,
            "ENABLE_TELEMETRY": "false",
            "RW_HEALTH_CHECK_LISTENER_ADDR": HEALTH_ADDR,
            "RW_WEBHOOK_LISTEN_ADDR": WEBHOOK_ADDR,
            "RUST_LOG": os.environ.get("RW_TEST_RUST_LOG", "warn"),
            "RUST_BACKTRACE": "0",
        }
        command = [
            str(self._binary),
            "single_node",
            "--in-memory",
            "--config-path",
            str(self._config),
            "--listen-addr",
            f"{HOST}:{PORT}",
            "--prometheus-listener-addr",
            PROMETHEUS_ADDR,
            "--total-memory-bytes",
            str(TOTAL_MEMORY_BYTES),
            "--parallelism",
            str(PARALLELISM),
        ]
        self._spawn(command, self._log, env=env, cwd=self._dir)

    def _started(self) -> None:
        with psycopg2.connect(self.dsn()) as conn:
            conn.autocommit = True
            with conn.cursor() as cur:
                for name, value in SYSTEM_PARAMS.items():
                    cur.execute(f"alter system set {name} to {value}")

    def _serving(self) -> bool:
        """A query answers (the port opens before DDL can run)."""
        try:
            with psycopg2.connect(self.dsn()) as conn, conn.cursor() as cur:
                cur.execute("select 1")
                return True
        except psycopg2.OperationalError:
            return False

    def tail(self, lines: int = 30) -> str:
        if not self._log.exists():
            return ""
        return "\n".join(self._log.read_text(errors="replace").splitlines()[-lines:])
