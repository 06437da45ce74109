"""Two runs on one multi-process cluster: each receives the worker records of its own tasks
only, and one ending does not stop the other's."""

import logging

from distributed import Client

from gh_assets.compute.run_logs import run_logs_forwarded
from gh_assets_tests.harnesses.processes import wait_for

LOGGER = "gh_assets.archive.http"


def warn(text: str) -> str:
    logging.getLogger(LOGGER).warning(text)
    return text


class Kept(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_each_run_gets_its_own_tasks_records_only(dask_processes):
    kept = Kept()
    logging.getLogger("gh_assets").addHandler(kept)
    try:
        with (
            Client(dask_processes.address) as first,
            Client(dask_processes.address) as second,
            run_logs_forwarded(first, "gh_assets", logging.WARNING, "run-a.1"),
        ):
            with run_logs_forwarded(second, "gh_assets", logging.WARNING, "run-b.2"):
                first.submit(warn, "from a", key="transform-x-run-a.1").result()
                wait_for(lambda: len(kept.records) >= 1, 30, "run a's record")
            # run b's forwarding has ended: run a's goes on
            first.submit(warn, "from a again", key="transform-y-run-a.1").result()
            first.submit(warn, "from nobody", key="transform-z-run-c.3").result()
            wait_for(lambda: len(kept.records) >= 2, 30, "run a's second record")
    finally:
        logging.getLogger("gh_assets").removeHandler(kept)
    messages = [record.getMessage() for record in kept.records]
    assert messages == ["from a", "from a again"]  # once each: not also through run b
    assert all(record.worker.startswith("tcp://127.0.0.1:") for record in kept.records)
