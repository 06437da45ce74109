"""How many workers a run had over time: its peak and its worker-minutes, for any cluster.

An adaptive cluster grows and shrinks during a run, so the count at the start says little about
what the run used (or cost). A background thread asks the scheduler for its workers every few
seconds; each count is taken to hold until the next one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from distributed import Client

SAMPLE_SECONDS = 2.0


@dataclass(frozen=True)
class WorkerUsage:
    peak_workers: int
    worker_minutes: float


def worker_usage(samples: Sequence[tuple[float, int]]) -> WorkerUsage:
    """The usage of `(seconds, workers)` samples in time order."""
    spans = zip(samples, samples[1:], strict=False)
    minutes = sum(workers * (end - start) for (start, workers), (end, _) in spans)
    return WorkerUsage(max((n for _, n in samples), default=0), minutes / 60)


class WorkerCounter:
    """Counts a client's workers from entry to exit (`usage()` afterwards)."""

    def __init__(self, client: Client, interval: float = SAMPLE_SECONDS):
        self.client = client
        self.interval = interval
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="worker-counter", daemon=True)

    def __enter__(self) -> WorkerCounter:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, error_type, error, traceback) -> None:
        self._stop.set()
        self._thread.join()
        if error_type is None:  # after a failure the cluster may be gone, and no figure is kept
            self._sample()

    def usage(self) -> WorkerUsage:
        return worker_usage(self.samples)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self._sample()
            except OSError:  # the scheduler is briefly unreachable: the last count holds
                continue

    def _sample(self) -> None:
        self.samples.append((time.monotonic(), len(self.client.nthreads())))
