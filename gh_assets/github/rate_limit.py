"""When the next request to GitHub may go: one gate for all of a client's threads (limits are per
token).

GitHub's rules ("Rate limits for the REST API", Exceeding the rate limit): with
`x-ratelimit-remaining: 0`, no request before `x-ratelimit-reset`; with `retry-after`, none before
that many seconds; a secondary limit with neither: wait a minute, then exponentially longer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class WaitTooLong(Exception):
    """The gate would stay closed longer than the run may wait: the run stops asking."""


class RateLimitGate:
    """Holds every request until the latest closure ends; a closure beyond the bound stops all."""

    def __init__(
        self,
        max_wait_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.max_wait_seconds = max_wait_seconds
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._open_at = 0.0
        self.stopped: str | None = None
        self.waits = 0
        self.wait_seconds = 0.0

    def close_for(self, seconds: float, reason: str) -> bool:
        """No request for `seconds` from now: True. Beyond the bound the run stops asking (the
        next `wait_turn` raises WaitTooLong): False. Never raises, so the answer that announced
        the limit is still used."""
        with self._lock:
            if seconds > self.max_wait_seconds:
                self.stopped = self.stopped or (
                    f"{reason}: the wait of {seconds:.0f} s exceeds the bound of "
                    f"{self.max_wait_seconds:.0f} s"
                )
                return False
            now = self._clock()
            until = now + seconds
            if until > self._open_at:
                self.waits += 1
                self.wait_seconds += until - max(self._open_at, now)
                self._open_at = until
            return True

    def wait_turn(self) -> None:
        """Sleep until the gate is open; raise WaitTooLong once the run has stopped asking."""
        while True:
            with self._lock:
                if self.stopped:
                    raise WaitTooLong(self.stopped)
                delay = self._open_at - self._clock()
            if delay <= 0:
                return
            self._sleep(delay)
