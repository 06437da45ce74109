"""The rate-limit gate: all threads wait for the latest closure; one beyond the bound stops all."""

import pytest

from gh_assets.github.rate_limit import RateLimitGate, WaitTooLong


class Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_requests_wait_for_the_latest_closure_and_each_closure_is_counted_once():
    clock = Clock()
    gate = RateLimitGate(60, clock=clock, sleep=clock.sleep)
    gate.wait_turn()
    assert gate.close_for(3, "reset")
    assert gate.close_for(1, "retry-after")  # within the first: no longer wait
    gate.wait_turn()
    assert clock.slept == [3] and (gate.waits, gate.wait_seconds) == (1, 3)
    gate.close_for(2, "retry-after")
    gate.wait_turn()
    assert clock.now == 105 and gate.waits == 2


def test_a_wait_beyond_the_bound_stops_every_later_request():
    clock = Clock()
    gate = RateLimitGate(10, clock=clock, sleep=clock.sleep)
    assert not gate.close_for(3601, "rate limit spent")  # the answer that said so is kept
    with pytest.raises(WaitTooLong, match="3601 s exceeds the bound of 10 s"):
        gate.wait_turn()
    assert clock.slept == []
