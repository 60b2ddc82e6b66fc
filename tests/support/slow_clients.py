"""Slow clients on raw sockets, for the services' header and body deadlines: a request sent in
part, headers that trickle in (slowloris), and what the server answers or whether it hangs up."""

from __future__ import annotations

import contextlib
import socket
import time


def send_raw(port: int, head: str, body: bytes = b"", *, timeout: float = 10) -> socket.socket:
    """A connection to loopback `port` that has sent `head` (lines joined by "\\n", ended by the
    blank line sent here) and `body`, which may be less than the head announces."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.sendall(head.replace("\n", "\r\n").encode("latin-1") + b"\r\n" + body)
    return sock


def status_line(sock: socket.socket) -> str:
    """The response's status line; socket.timeout when the server answers nothing."""
    with sock:
        data = sock.recv(65536)
    return data.split(b"\r\n", 1)[0].decode("latin-1")


def closed_within(sock: socket.socket, seconds: float) -> bool:
    """Whether the server closes the connection (reads EOF) within `seconds`, answering nothing."""
    sock.settimeout(seconds)
    with sock:
        try:
            return sock.recv(65536) == b""
        except ConnectionResetError:  # closed while the client was still sending
            return True
        except TimeoutError:
            return False


def slowloris(port: int, request_line: str, header_timeout_s: float) -> tuple[socket.socket, ...]:
    """Two connections whose headers are late: one sends `request_line` and then a header line
    every half `header_timeout_s`, three times (bytes trickling in keep no connection alive); the
    other sends nothing. Returns them (trickling, silent) once the last line is sent."""
    trickling = socket.create_connection(("127.0.0.1", port), timeout=10)
    trickling.sendall(f"{request_line}\r\nHost: 127.0.0.1\r\n".encode("latin-1"))
    silent = socket.create_connection(("127.0.0.1", port), timeout=10)
    for _ in range(3):
        time.sleep(header_timeout_s / 2)
        with contextlib.suppress(OSError):
            trickling.sendall(b"X-Slow: 1\r\n")
    return trickling, silent
