"""A local worker that is closing does not report its last heartbeat as an error (a worker
preload, `distributed.worker.preload`).

When a run closes its local cluster, a worker's heartbeat can still be on its way as the worker
closes its connections. Distributed then logs "Failed to communicate with scheduler during
heartbeat." at ERROR with three chained tracebacks, at the end of every clean run. That record is
dropped while the worker is closing; a heartbeat that fails while the worker runs is a real
failure and is logged as ever.
"""

from __future__ import annotations

import logging

from distributed import Worker
from distributed.core import Status

HEARTBEAT_FAILED = "Failed to communicate with scheduler during heartbeat"
CLOSING = {Status.closing, Status.closed, Status.closing_gracefully, Status.failed}


class ClosingHeartbeatFilter(logging.Filter):
    def __init__(self, worker: Worker):
        super().__init__()
        self.worker = worker

    def filter(self, record: logging.LogRecord) -> bool:
        closing = self.worker.status in CLOSING
        return not (closing and str(record.msg).startswith(HEARTBEAT_FAILED))


def dask_setup(worker: Worker) -> None:
    logging.getLogger("distributed.worker").addFilter(ClosingHeartbeatFilter(worker))
