"""The core's log records of one run's tasks, sent from the Dask workers to the run's process.

`Client.forward_logging` forwards every record of a logger on every worker under one plugin name
and one topic per logger: two runs on one cluster (a scheduler by address) would each receive the
other's records, and the first to end would remove the other's forwarding (the second then fails
removing it again). Each run here forwards under a name and a topic of its own, and only the
records logged while one of its own tasks works (a task's key ends with the run's token).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from distributed.diagnostics.plugin import WorkerPlugin

if TYPE_CHECKING:
    from distributed import Client, Worker


class RunLogForwarding(WorkerPlugin):
    """On each worker, a handler on `logger_name` that sends one run's records to its topic."""

    def __init__(self, logger_name: str, level: int, run_token: str):
        self.logger_name = logger_name
        self.level = level
        self.run_token = run_token
        self.name = f"gh-assets-logs-{run_token}"
        self.topic = f"gh-assets-logs-{run_token}"
        self.handler: logging.Handler | None = None

    def setup(self, worker: Worker) -> None:
        self.handler = _RunRecords(worker, self.topic, self.run_token, self.level)
        logging.getLogger(self.logger_name).addHandler(self.handler)

    def teardown(self, worker: Worker) -> None:
        if self.handler is not None:
            logging.getLogger(self.logger_name).removeHandler(self.handler)


class _RunRecords(logging.Handler):
    """Sends a record to the run's topic when a task of the run logged it."""

    def __init__(self, worker: Worker, topic: str, run_token: str, level: int):
        super().__init__(level)
        self.worker, self.topic, self.run_token = worker, topic, run_token

    def emit(self, record: logging.LogRecord) -> None:
        from distributed.worker import thread_state

        key = getattr(thread_state, "key", None)
        if key is None or not str(key).endswith(self.run_token):
            return
        attributes = {**record.__dict__, "msg": record.getMessage(), "args": None}
        attributes |= {"exc_info": None, "worker": self.worker.address}
        attributes.pop("message", None)
        self.worker.log_event(self.topic, attributes)


@contextmanager
def run_logs_forwarded(
    client: Client, logger_name: str, level: int, run_token: str
) -> Iterator[None]:
    """While the block runs, the run's tasks' records of `logger_name` reach the same logger
    here, each with the address of the worker it came from (`record.worker`)."""
    plugin = RunLogForwarding(logger_name, level, run_token)
    client.subscribe_topic(plugin.topic, _handle)
    client.register_plugin(plugin, name=plugin.name)
    try:
        yield
    finally:
        if client.status == "running":
            client.unregister_worker_plugin(plugin.name)
            client.unsubscribe_topic(plugin.topic)


def _handle(event: tuple) -> None:
    _, attributes = event
    record = logging.makeLogRecord(attributes)
    logging.getLogger(record.name).handle(record)
