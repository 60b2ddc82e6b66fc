"""`python -m decisions.bench`: the decision service's latency and sustained requests/s.

A seeded 30-minute replay through the shared SQL on an embedded PostgreSQL (the live views and
their indexes), a champion model trained as `make train` does, and a real Kafka broker (KRaft on
loopback, `make kafka-jars`) for publication. The service runs as its own process (`python -m
decisions`, its defaults: 20 ms lookup budget, 64 in flight). The client speaks HTTP/1.1 over
keep-alive loopback connections (a few lines of asyncio streams: httpx's pool costs more CPU per
request than the service, on the same two cores) and sends transactions of the replay's
customers open-loop at each target rate; each latency counts from the moment its request was
due, so a stalled server shows as latency, not as a lower send rate. After a warm-up at the first
rate, each rate runs `--repeat` times; each run prints p50/p99, requests/s achieved, and how many
answers were degraded or refused; and the CPU time per decision of the service's process, of
PostgreSQL's processes, of the Kafka broker and of the client, read from /proc: unlike the
latencies, these hardly depend on what else the machine is doing. A line per rate gives the
median and the worst p99 of its runs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import orjson
import psycopg2

from backtest.replay import replayed
from decisions.security import hash_key
from producers.settings import Settings

TARGET_P99_MS = 25.0
RATES = (500, 1000)
TARGET_RATE = 500
_KEY = "dsk_bench-key"
_ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Run:
    rate: int
    sent: int
    elapsed_s: float
    latencies_ms: np.ndarray
    statuses: dict[int, int]
    degraded: int
    cpu_s: dict[str, float]

    @property
    def p99_ms(self) -> float:
        return float(np.percentile(self.latencies_ms, 99))

    def line(self) -> str:
        ok = self.statuses.get(200, 0)
        p50, p99 = float(np.percentile(self.latencies_ms, 50)), self.p99_ms
        verdict = ""
        if self.rate == TARGET_RATE:
            verdict = " (meets the 25 ms p99 target)" if p99 < TARGET_P99_MS else " (MISSES 25 ms)"
        return (
            f"{self.rate:>5} req/s offered: {ok / self.elapsed_s:,.0f} decisions/s sustained,"
            f" p50 {p50:.1f} ms, p99 {p99:.1f} ms{verdict}; {self.sent} requests,"
            f" statuses {dict(sorted(self.statuses.items()))}, degraded {self.degraded};"
            " CPU per decision: "
            + ", ".join(f"{name} {1000 * s / self.sent:.2f} ms" for name, s in self.cpu_s.items())
            + f"; load average {os.getloadavg()[0]:.1f}"
        )


_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    """/proc/<pid>/stat's fields after the command name (which may hold spaces)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _cpu_s(pids: list[int], reaped: int | None = None) -> float:
    """User + system CPU seconds of `pids` (every thread of each), those gone counting 0; and
    of the children `reaped` has waited for (PostgreSQL's backends that have exited)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = _stat(pid)
            total += int(fields[11]) + int(fields[12])
            if pid == reaped:
                total += int(fields[13]) + int(fields[14])
    return total / _TICKS


def _family(parent: int) -> list[int]:
    """`parent` and its children: PostgreSQL's postmaster and its backends."""
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, IndexError):
                if int(_stat(int(entry))[1]) == parent:
                    children.append(int(entry))
    return [parent, *children]


class _CpuMeter:
    """CPU seconds spent by the service, PostgreSQL, the Kafka broker and this client between two
    readings."""

    def __init__(self, service: int, postmaster: int | None, broker: int | None) -> None:
        self.service = service
        self.postmaster = postmaster
        self.broker = broker

    def read(self) -> dict[str, float]:
        readings = {"service": _cpu_s([self.service])}
        if self.postmaster is not None:
            readings["PostgreSQL"] = _cpu_s(_family(self.postmaster), reaped=self.postmaster)
        if self.broker is not None:
            readings["Kafka"] = _cpu_s([self.broker])
        readings["client"] = time.process_time()
        return readings


def _bodies(customers: list[dict[str, Any]], count: int, at: datetime) -> list[dict[str, Any]]:
    bodies = []
    for index in range(count):
        customer = customers[index % len(customers)]
        devices = customer["registered_device_ids"] or [None]
        bodies.append(
            {
                "event_id": f"bench-{index:07d}",
                "event_time": at.isoformat(),
                "customer_id": customer["customer_id"],
                "account_id": customer["primary_account_id"],
                "card_token": "tok_" + f"{index:016x}",
                "card_last4": "4242",
                "amount": str((Decimal(customer["typical_spend"]) / 2).quantize(Decimal("0.01"))),
                "currency": "AUD",
                "merchant_id": "M000001",
                "merchant_name": "Corner Grocer",
                "merchant_category": ("grocery", "fuel", "retail", "restaurants")[index % 4],
                "channel": ("pos", "ecommerce", "pos", "atm")[index % 4],
                "device_id": devices[0],
                "latitude": float(customer["home_latitude"]),
                "longitude": float(customer["home_longitude"]),
                "city": customer["home_city"],
                "country": customer["home_country"],
                "status": "approved",
            }
        )
    return bodies


class _Connection:
    """One keep-alive HTTP/1.1 connection: a request out, a response in (Content-Length)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def post(self, path: str, body: bytes, headers: bytes) -> tuple[int, bytes]:
        self.writer.write(
            b"POST "
            + path.encode()
            + b" HTTP/1.1\r\nHost: bench\r\n"
            + headers
            + b"Content-Type: application/json\r\nContent-Length: "
            + str(len(body)).encode()
            + b"\r\n\r\n"
            + body
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        length = next(
            int(line.split(b":", 1)[1])
            for line in lines[1:]
            if line.lower().startswith(b"content-length:")
        )
        return status, await self.reader.readexactly(length)


async def _load(
    port: int,
    bodies: list[dict[str, Any]],
    rate: int,
    connections: int,
    meter: _CpuMeter | None = None,
) -> Run:
    """Open loop: request i is due at start + i/rate; a free connection sends it; its latency
    counts from when it was due, so queueing behind a slow server is measured too."""
    headers = f"Authorization: Bearer {_KEY}\r\n".encode()
    payloads = [orjson.dumps(body) for body in bodies]
    queue: asyncio.Queue[tuple[bytes, float] | None] = asyncio.Queue()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    degraded = 0

    async def worker() -> None:
        nonlocal degraded
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        connection = _Connection(reader, writer)
        try:
            while (item := await queue.get()) is not None:
                payload, due = item
                status, answer = await connection.post("/v1/decisions", payload, headers)
                latencies.append((time.perf_counter() - due) * 1000)
                statuses[status] = statuses.get(status, 0) + 1
                if status == 200 and b'"degraded":true' in answer:
                    degraded += 1
        finally:
            writer.close()

    workers = [asyncio.create_task(worker()) for _ in range(connections)]
    await asyncio.sleep(0.2)  # connections open before the clock starts
    before = meter.read() if meter else {}
    started = time.perf_counter()
    for index, payload in enumerate(payloads):
        due = started + index / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((payload, due))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    elapsed = time.perf_counter() - started
    after = meter.read() if meter else {}
    used = {name: after[name] - before[name] for name in after}
    return Run(rate, len(bodies), elapsed, np.array(latencies), statuses, degraded, used)


def _train(registry: Path) -> None:
    env = {**os.environ, "SCORING_REGISTRY_DIR": str(registry)}
    subprocess.run([sys.executable, "-m", "scoring.offline", "train"], check=True, env=env)


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-m", "decisions"], cwd=_ROOT, env={**os.environ, **env}
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"decision service exited with {server.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("decision service did not start within 60 s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m decisions.bench")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each run")
    parser.add_argument("--connections", type=int, default=64, help="client keep-alive pool")
    parser.add_argument(
        "--rates", default=",".join(map(str, RATES)), help="offered requests/s, comma-separated"
    )
    parser.add_argument("--no-kafka", action="store_true", help="do not publish (no broker)")
    parser.add_argument("--database-url", help="an already replayed database (skips the replay)")
    parser.add_argument("--registry-dir", type=Path, help="a trained registry (skips training)")
    parser.add_argument("--at", help="event time of the requests (with --database-url)")
    parser.add_argument(
        "--warm-up", type=float, default=30.0, help="seconds at the first rate before measuring"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per rate")
    args = parser.parse_args(argv)

    from tests.support.kafka_broker import KafkaBroker, missing_prerequisite
    from tests.support.served import free_port

    end = datetime.now(UTC).replace(second=0, microsecond=0)
    settings = Settings(
        _env_file=None, sink="jsonl", seed=20261204, fraud_rate=0.1, world="realistic"
    )
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="decisions-bench-")))
        if args.database_url:
            dsn = args.database_url
            end = datetime.fromisoformat(args.at) if args.at else end
        else:
            print("replaying 30 minutes of history into an embedded PostgreSQL ...", flush=True)
            dsn = stack.enter_context(
                replayed(settings, minutes=30, now=end, work_dir=work / "replay")
            ).database.dsn
        registry = args.registry_dir or work / "models"
        if not args.registry_dir:
            print("training the champion model (make train) ...", flush=True)
            _train(registry)
        port = free_port()
        env = {
            "DECISIONS_DATABASE_URL": dsn,
            "DECISIONS_API_KEYS": f"bench:decide:{hash_key(_KEY)}",
            "DECISIONS_REGISTRY_DIR": str(registry),
            "DECISIONS_PORT": str(port),
            "DECISIONS_PUBLISH": "false",
            "DECISIONS_LOG_INTERVAL_S": "600",
            "OMP_NUM_THREADS": "1",
        }
        publishing = "no publication (--no-kafka)"
        broker_pid = None
        if not args.no_kafka:
            missing = missing_prerequisite()
            if missing:
                raise SystemExit(f"no Kafka broker: {missing} (or pass --no-kafka)")
            broker = stack.enter_context(KafkaBroker(work / "kafka"))
            broker_pid = broker.pid
            _create_topics(broker.bootstrap_servers)
            env |= {
                "DECISIONS_PUBLISH": "true",
                "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
            }
            publishing = "publishing to a local Kafka broker (acks=all, idempotent)"
        conn = psycopg2.connect(dsn)
        try:
            with conn.cursor() as cursor:
                cursor.execute("select * from int_customers order by customer_id")
                names = [column.name for column in cursor.description or ()]
                customers = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
            postmaster = _postmaster(conn)
        finally:
            conn.close()
        server = _serve(env, port)
        meter = _CpuMeter(server.pid, postmaster, broker_pid)
        stack.callback(server.wait, 30)
        stack.callback(server.terminate)
        url = f"http://127.0.0.1:{port}"
        print(f"decision service on {url}, {publishing}; {os.cpu_count()} cores", flush=True)
        rates = [int(rate) for rate in args.rates.split(",")]
        # Warm-up at the first rate: connections, the producer's id, the first code paths, and
        # the broker's JIT compiler, whose work at full rate the first run measured otherwise.
        count = int(rates[0] * args.warm_up)
        asyncio.run(_load(port, _bodies(customers, count, end), rates[0], args.connections))
        offset = count
        for rate in rates:
            p99s = []
            for _ in range(args.repeat):
                count = int(rate * args.seconds)
                bodies = _bodies(customers, offset + count, end)[offset:]
                offset += count
                run = asyncio.run(_load(port, bodies, rate, args.connections, meter))
                p99s.append(run.p99_ms)
                print(run.line(), flush=True)
            print(
                f"{rate:>5} req/s, {len(p99s)} runs: p99 median {float(np.median(p99s)):.1f} ms,"
                f" worst {max(p99s):.1f} ms",
                flush=True,
            )
    return 0


def _postmaster(conn: Any) -> int | None:
    """The pid of a PostgreSQL on this machine (its data directory readable), else None."""
    try:
        with conn.cursor() as cursor:
            cursor.execute("show data_directory")
            (directory,) = cursor.fetchone()
        return int((Path(directory) / "postmaster.pid").read_text().split()[0])
    except (psycopg2.Error, OSError, ValueError, IndexError):
        return None


def _create_topics(bootstrap: str) -> None:
    from kafka.admin import KafkaAdminClient, NewTopic

    from common.kafka import TOPIC_CONFIGS

    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics(
            [
                NewTopic(name, 3, 1, topic_configs=TOPIC_CONFIGS)
                for name in ("transactions", "decisions")
            ]
        )
    finally:
        admin.close()


if __name__ == "__main__":
    raise SystemExit(main())
