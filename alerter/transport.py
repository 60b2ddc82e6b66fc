"""Sending one message: an HTTP POST of JSON, or a write to a stream, classified for retrying."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import TextIO

from alerter.signing import signed_headers


@dataclass(frozen=True)
class Attempt:
    """The outcome of one send: delivered, worth retrying (maybe after `retry_after` s), or not."""

    delivered: bool
    retryable: bool
    reason: str
    retry_after: float | None = None


DELIVERED = Attempt(delivered=True, retryable=False, reason="delivered")


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if absent."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - now).total_seconds())


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A webhook that redirects is misconfigured; following it could turn the POST into a GET or
    # hand the payload to another host.
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class HttpTransport:
    """POSTs JSON bodies to one URL. The URL is a secret: it never appears in a reason."""

    def __init__(
        self,
        url: str,
        timeout_s: float,
        now: Callable[[], datetime],
        headers: dict[str, str] | None = None,
        signing_secret: bytes | None = None,
    ) -> None:
        self._url = url
        self._timeout_s = timeout_s
        self._now = now
        self._headers = {"Content-Type": "application/json", **(headers or {})}
        self._signing_secret = signing_secret
        self._opener = urllib.request.build_opener(_NoRedirects)

    def send(self, body: bytes) -> Attempt:
        headers = self._headers
        if self._signing_secret:
            stamp = int(self._now().timestamp())
            headers = {**headers, **signed_headers(self._signing_secret, stamp, body)}
        request = urllib.request.Request(self._url, data=body, headers=headers, method="POST")
        try:
            with self._opener.open(request, timeout=self._timeout_s) as response:
                response.read()
        except urllib.error.HTTPError as error:
            return self._classify(error)
        except TimeoutError:
            return Attempt(False, True, f"timeout after {self._timeout_s:g} s")
        except urllib.error.URLError as error:
            return Attempt(False, True, f"connection failed: {_describe(error.reason)}")
        except (OSError, http.client.HTTPException) as error:  # reset or garbled mid-request
            return Attempt(False, True, f"connection failed: {_describe(error)}")
        return DELIVERED

    def _classify(self, error: urllib.error.HTTPError) -> Attempt:
        status = error.code
        error.close()
        if status == 429 or status >= 500:
            wait = parse_retry_after(error.headers.get("Retry-After"), self._now())
            return Attempt(False, True, f"HTTP {status}", retry_after=wait)
        return Attempt(False, False, f"HTTP {status}")


def _describe(reason: object) -> str:
    if isinstance(reason, TimeoutError):
        return "timeout"
    return type(reason).__name__ if isinstance(reason, BaseException) else str(reason)


class StreamTransport:
    """Writes bodies to a text stream (stdout); a closed pipe is a permanent failure."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def send(self, body: bytes) -> Attempt:
        try:
            self._stream.write(body.decode())
            self._stream.flush()
        except (OSError, ValueError) as error:
            return Attempt(False, False, f"stdout write failed: {type(error).__name__}")
        return DELIVERED
