"""The core's warnings (archive retries, skipped files) in the Dagster event log, as they happen.

The core logs through the standard `logging` loggers under `gh_assets` (`gh_assets.archive.source`,
`gh_assets.archive.http`, `gh_assets.compute.hour_transform`). In the Dagster process (the
manifest's probes) a handler hands their records to the step's log; on Dask workers (the downloads)
the records of the run's own tasks are sent to this process first (`compute/run_logs.py`). This
needs no instance setting (`python_logs` in dagster.yaml), so it works under any DAGSTER_HOME and in
tests.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import dagster as dg

if TYPE_CHECKING:
    from distributed import Client

CORE_LOGGER = "gh_assets"


class _StepLogHandler(logging.Handler):
    """Re-logs a record in a step's Dagster log, naming the worker it came from, if any."""

    def __init__(self, log: dg.DagsterLogManager, level: int):
        super().__init__(level)
        self.step_log = log

    def emit(self, record: logging.LogRecord) -> None:
        worker = getattr(record, "worker", None)  # set by distributed on a forwarded record
        where = f" (Dask worker {worker})" if worker else ""
        self.step_log.log(record.levelno, f"{record.getMessage()}{where}")


@contextmanager
def core_logs_in_step_log(
    log: dg.DagsterLogManager,
    client: Client | None = None,
    run_token: str = "",
    level: int = logging.WARNING,
) -> Iterator[None]:
    """While the block runs, the core's records of `level` and above go to `log`, from this
    process and, given a client, from the tasks of the run of `run_token` on its workers."""
    handler = _StepLogHandler(log, level)
    logger = logging.getLogger(CORE_LOGGER)
    logger.addHandler(handler)
    try:
        if client is None:
            yield
        else:
            from gh_assets.compute.run_logs import run_logs_forwarded

            with run_logs_forwarded(client, CORE_LOGGER, level, run_token):
                yield
    finally:
        logger.removeHandler(handler)
