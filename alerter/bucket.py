"""A token bucket: `rate` requests per second on average, at most `burst` back to back."""

from __future__ import annotations

from collections.abc import Callable

# Refill arithmetic in floats can land a hair under a whole token exactly when one is due; without
# this slack a caller sleeping the returned wait could be told to wait again for ~1e-16 s forever.
_EPSILON = 1e-9


class TokenBucket:
    """Not thread-safe: each destination owns one and uses it from its own worker thread."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float]) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self._rate = rate
        self._burst = float(burst)
        self._clock = clock
        self._tokens = float(burst)
        self._stamp = clock()

    def take(self) -> float:
        """Take one token and return 0, or take nothing and return the seconds until one is due."""
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now
        if self._tokens >= 1.0 - _EPSILON:
            self._tokens = max(0.0, self._tokens - 1.0)
            return 0.0
        return (1.0 - self._tokens) / self._rate
