"""Retrying one message: exponential backoff, Retry-After honoured, every attempt rate-limited."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from alerter.transport import Attempt

# Waits up to the given seconds; returns True when the service is stopping (stop waiting).
Wait = Callable[[float], bool]


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    backoff_base_s: float
    backoff_max_s: float

    def backoff(self, failed_attempts: int) -> float:
        """Delay after the n-th failed attempt: base, 2 x base, 4 x base, ... capped."""
        return min(self.backoff_max_s, self.backoff_base_s * 2 ** (failed_attempts - 1))


@dataclass(frozen=True)
class Outcome:
    attempt: Attempt
    attempts: int


def send_with_retries(
    send: Callable[[], Attempt],
    policy: RetryPolicy,
    acquire: Callable[[], bool],
    wait: Wait,
) -> Outcome | None:
    """Send until delivered or failed for good; None if stopping interrupted it.

    `acquire` takes a rate-limit token (False when stopping) and is called before every attempt
    but the first, whose token the caller already took to decide what to send.
    """
    for attempt_number in range(1, policy.max_attempts + 1):
        if attempt_number > 1 and not acquire():
            return None
        attempt = send()
        if attempt.delivered or not attempt.retryable:
            return Outcome(attempt, attempt_number)
        if attempt_number == policy.max_attempts:
            break
        delay = attempt.retry_after
        if delay is None:
            delay = policy.backoff(attempt_number)
        if wait(delay):
            return None
    exhausted = Attempt(
        delivered=False,
        retryable=False,
        reason=f"retries exhausted after {policy.max_attempts} attempts, last: {attempt.reason}",
    )
    return Outcome(exhausted, policy.max_attempts)
