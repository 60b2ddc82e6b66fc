"""A real server the tests run as a child process (the Kafka broker, the RisingWave engine):
started and waited for until it serves, stopped with SIGTERM (killed if it hangs), and taken
down with the test process if that dies first."""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import ClassVar, Self

_PR_SET_PDEATHSIG = 1  # prctl option, from <linux/prctl.h>


def _die_with_parent() -> None:
    """Runs in the child before exec: if the test process dies without stopping the server
    (killed, timed out), Linux sends the server SIGTERM instead of leaving a stray process."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class ServerProcess:
    """What differs per server: its name, its error, how long it may take, how it is launched
    (`_launch`) and when it serves (`_serving`)."""

    name: ClassVar[str]
    error: ClassVar[type[RuntimeError]]
    startup_timeout_s: ClassVar[float] = 90.0
    shutdown_timeout_s: ClassVar[float] = 30.0
    poll_s: ClassVar[float] = 0.2
    # Whether a server that ignored SIGTERM (and was killed) fails the test.
    hang_is_error: ClassVar[bool] = False

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self.startup_seconds = 0.0

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Launch the server and wait until it serves."""
        if self.running:
            raise self.error(f"{self.name} already running")
        began = time.monotonic()
        self._launch()
        self._wait_until_serving(began + self.startup_timeout_s)
        self._started()
        self.startup_seconds = time.monotonic() - began

    def stop(self) -> None:
        """SIGTERM (a clean shutdown, logs flushed); kill if it hangs."""
        if self._process is None:
            return
        process, self._process = self._process, None
        if process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(self.shutdown_timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            if self.hang_is_error:
                raise self.error(
                    f"{self.name} ignored SIGTERM for {self.shutdown_timeout_s:g}s; killed"
                ) from None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _spawn(
        self,
        command: Sequence[str],
        log: Path,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        """Run `command` with stdout and stderr appended to `log`."""
        with log.open("ab") as output:
            self._process = subprocess.Popen(
                list(command),
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=None if env is None else dict(env),
                cwd=cwd,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )

    def _wait_until_serving(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                code = self._process.returncode
                raise self.error(f"{self.name} exited with {code}: {self.tail()}")
            if self._serving():
                return
            time.sleep(self.poll_s)
        self.stop()
        raise self.error(
            f"{self.name} not serving after {self.startup_timeout_s:g}s: {self.tail()}"
        )

    def _launch(self) -> None:
        raise NotImplementedError

    def _serving(self) -> bool:
        raise NotImplementedError

    def _started(self) -> None:
        """What to do once it serves (nothing by default)."""

    def tail(self, lines: int = 20) -> str:
        raise NotImplementedError
