import pytest

from alerter.bucket import TokenBucket


class SteppedClock:
    """Time moves only when the test moves it."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def greedy_sends(rate: float, burst: int, horizon_s: float) -> list[float]:
    """Send whenever the bucket allows, sleeping exactly as long as it says, until the horizon."""
    clock = SteppedClock()
    bucket = TokenBucket(rate, burst, clock)
    sent: list[float] = []
    while clock.now <= horizon_s:
        delay = bucket.take()
        if delay == 0:
            sent.append(clock.now)
        else:
            clock.now += delay
    return sent


@pytest.mark.parametrize(("rate", "burst"), [(1.0, 1), (2.5, 4), (10.0, 10)])
def test_a_greedy_sender_gets_the_burst_then_the_rate(rate: float, burst: int) -> None:
    horizon = 20.0
    sent = greedy_sends(rate, burst, horizon)
    assert sent[:burst] == [0.0] * burst
    assert len(sent) == burst + int(rate * horizon + 1e-9)
    for first in range(len(sent)):
        for last in range(first, len(sent)):
            window = sent[last] - sent[first]
            assert last - first + 1 <= burst + rate * window + 1e-9


def test_idle_time_refills_no_more_than_the_burst() -> None:
    clock = SteppedClock()
    bucket = TokenBucket(1.0, 3, clock)
    assert [bucket.take() for _ in range(3)] == [0.0, 0.0, 0.0]
    clock.now = 100.0
    assert [bucket.take() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take() == pytest.approx(1.0)


def test_the_wait_is_the_time_until_the_next_token() -> None:
    clock = SteppedClock()
    bucket = TokenBucket(4.0, 1, clock)
    assert bucket.take() == 0.0
    clock.now = 0.1
    assert bucket.take() == pytest.approx(0.15)
    clock.now = 0.25
    assert bucket.take() == 0.0


@pytest.mark.parametrize(("rate", "burst"), [(0.0, 1), (-1.0, 1), (1.0, 0)])
def test_a_bucket_that_could_never_send_is_refused(rate: float, burst: int) -> None:
    with pytest.raises(ValueError, match="rate must be > 0"):
        TokenBucket(rate, burst, SteppedClock())
