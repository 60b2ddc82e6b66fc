"""One real Apache Kafka node (KRaft: broker and controller in one JVM) on loopback ports.

The jars come from Maven Central through `tests/kafka/pom.xml` (`make kafka-jars` copies them to
`.cache/kafka/libs`). The node is formatted once with `kafka.tools.StorageTool`, then `kafka.Kafka`
runs it; `restart()` reuses the ports and the data directory, so acknowledged data must survive.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from kafka.admin import KafkaAdminClient
from kafka.errors import KafkaError

from tests.support.server_process import ServerProcess

REPO_ROOT = Path(__file__).resolve().parents[2]
KAFKA_LIBS = REPO_ROOT / ".cache" / "kafka" / "libs"
_JVM_OPTIONS = ("-Xms256m", "-Xmx1g", "-Djava.awt.headless=true")
# Any fixed id works for a throwaway single-node cluster; KRaft wants 16 bytes in base64url.
_CLUSTER_ID = "ZnJhdWQtcGlwZWxpbmUtMQ"


class BrokerError(RuntimeError):
    """The broker did not start or stop; the message carries the end of its log."""


def missing_prerequisite(libs: Path = KAFKA_LIBS) -> str | None:
    """Why a broker cannot start on this machine, or None when it can."""
    if shutil.which("java") is None:
        return "java is not on PATH (Java 17+ runs the Kafka broker)"
    if not any(libs.glob("kafka_2.13-*.jar")):
        return f"no Kafka broker jars in {libs}: run `make kafka-jars` (needs Maven)"
    return None


@dataclass(frozen=True)
class ExternalBroker:
    """A broker someone else runs (KAFKA_BOOTSTRAP_SERVERS): usable, but not ours to restart."""

    bootstrap_servers: str
    restartable = False


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class KafkaBroker(ServerProcess):
    """A single KRaft node in `work_dir`, listening on 127.0.0.1 only."""

    name = "broker"
    error = BrokerError
    hang_is_error = True
    restartable = True

    def __init__(self, work_dir: Path, libs: Path = KAFKA_LIBS) -> None:
        super().__init__()
        self._dir = work_dir
        self._libs = libs
        self._data_dir = work_dir / "data"
        self._config = work_dir / "server.properties"
        self._log_config = work_dir / "log4j2.properties"
        self._log = work_dir / "broker.log"
        self._console = work_dir / "console.log"
        self.port = free_port()
        self.controller_port = free_port()

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def data_dir(self) -> Path:
        """The log directory: one `<topic>-<partition>` folder of segment files per partition."""
        return self._data_dir

    def rejoins(self, group: str) -> list[str]:
        """The group coordinator's lines where a member of `group` rejoined a stable group."""
        marker = f"group {group} "
        return [
            line
            for line in self._log.read_text(errors="replace").splitlines()
            if marker in line and "re-joining group during Stable" in line
        ]

    def _launch(self) -> None:
        """Format the node's storage the first time, then run it."""
        if not (self._data_dir / "meta.properties").exists():
            self._dir.mkdir(parents=True, exist_ok=True)
            self._write_config()
            self._format_storage()
        self._spawn([*self._java(), "kafka.Kafka", str(self._config)], self._console)

    def restart(self) -> None:
        """Stop, then start again on the same ports with the same data directory."""
        self.stop()
        self.start()

    def _java(self) -> list[str]:
        return [
            "java",
            *_JVM_OPTIONS,
            f"-Dlog4j2.configurationFile={self._log_config}",
            "-cp",
            f"{self._libs}{os.sep}*",
        ]

    def _write_config(self) -> None:
        listener, controller = self.port, self.controller_port
        self._config.write_text(
            "\n".join(
                (
                    "process.roles=broker,controller",
                    "node.id=1",
                    f"controller.quorum.voters=1@127.0.0.1:{controller}",
                    f"listeners=PLAINTEXT://127.0.0.1:{listener},CONTROLLER://127.0.0.1:{controller}",
                    f"advertised.listeners=PLAINTEXT://127.0.0.1:{listener}",
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    f"log.dirs={self._data_dir}",
                    # One node: every internal topic must fit on it.
                    "offsets.topic.replication.factor=1",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "share.coordinator.state.topic.replication.factor=1",
                    "share.coordinator.state.topic.min.isr=1",
                    "group.initial.rebalance.delay.ms=0",
                    # Topics must come from producers.topics, as on the real stack.
                    "auto.create.topics.enable=false",
                    # Tests use fixed event dates; time-based retention would delete them.
                    "log.retention.ms=-1",
                    # As on the stack's Redpanda: the broker-wide default stays CreateTime and
                    # every topic of the pipeline (and of the tests) sets LogAppendTime itself,
                    # so a topic created without it shows in the tests. (Broker-wide
                    # LogAppendTime would hide that, and stamp the internal topics too, which
                    # the stack never does.)
                    "log.message.timestamp.type=CreateTime",
                    # Like Redpanda (which only logs them), accept stamps far from the clock.
                    f"log.message.timestamp.after.max.ms={2**63 - 1}",
                    "",
                )
            )
        )
        self._log_config.write_text(
            "\n".join(
                (
                    "status = warn",
                    "appender.file.type = File",
                    "appender.file.name = file",
                    f"appender.file.fileName = {self._log}",
                    "appender.file.layout.type = PatternLayout",
                    "appender.file.layout.pattern = [%d] %p %m (%c)%n",
                    "rootLogger.level = info",
                    "rootLogger.appenderRef.file.ref = file",
                    "",
                )
            )
        )

    def _format_storage(self) -> None:
        command = [
            *self._java(),
            "kafka.tools.StorageTool",
            "format",
            "--cluster-id",
            _CLUSTER_ID,
            "--config",
            str(self._config),
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise BrokerError(f"StorageTool format failed: {result.stdout}{result.stderr}".strip())

    def _serving(self) -> bool:
        """A real request succeeds and the broker has registered with the controller."""
        try:
            admin = KafkaAdminClient(
                bootstrap_servers=self.bootstrap_servers,
                bootstrap_timeout_ms=2000,
                request_timeout_ms=2000,
            )
        except KafkaError:
            return False
        try:
            return bool(admin.describe_cluster().get("brokers"))
        except KafkaError:
            return False
        finally:
            admin.close()

    def tail(self, lines: int = 20) -> str:
        text = "".join(
            path.read_text(errors="replace") for path in (self._console, self._log) if path.exists()
        )
        return "\n".join(text.splitlines()[-lines:])
