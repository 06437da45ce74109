"""Dagster's default run launcher, with a health check of each run's process for run monitoring.

The default launcher starts a run as a child process of the code server and cannot tell whether
it still lives: a run whose process died with its code server stays STARTED forever. Here the
monitoring daemon looks the process up by the pid the run logged when it started ("Started process
for run"). That works where the daemon shares the host of the code servers that start runs (as
`make serve` does); for a code server on another host the check says RUNNING and only run
monitoring's `max_runtime_seconds` ends such a run.

A dead run is reported FAILED once its code server has answered for `SETTLED_SECONDS`: the daemon
reloads its view of the code location every 60 s, and a retry submitted while that view still
holds the code server's outage would fail for good. A code server that does not come back does
not keep the run STARTED: it is failed at the latest `GH_ASSETS_DEAD_RUN_SECONDS` after it was
found gone.
"""

from __future__ import annotations

import json
import socket
import time

import psutil
from dagster import DagsterEventType, DagsterInstance
from dagster._core.launcher import CheckRunHealthResult, DefaultRunLauncher, WorkerStatus
from dagster._core.storage.dagster_run import DagsterRun
from dagster._core.storage.tags import GRPC_INFO_TAG

from gh_assets.settings import current_settings, variable

SETTLED_SECONDS = 70  # the daemon's workspace reload interval (60 s), and a margin
STARTED_MESSAGE = "Started process for run"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", socket.gethostname()}


class ProcessCheckedRunLauncher(DefaultRunLauncher):
    """`DefaultRunLauncher` whose runs run monitoring can find dead."""

    def __init__(self, inst_data=None):
        super().__init__(inst_data=inst_data)
        self._answering_since: dict[str, float] = {}
        self._gone_since: dict[str, float] = {}

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: DagsterRun) -> CheckRunHealthResult:
        server = json.loads(run.tags.get(GRPC_INFO_TAG, "{}"))
        if server.get("host") not in LOCAL_HOSTS:
            return CheckRunHealthResult(WorkerStatus.RUNNING, "its code server is on another host")
        started = run_process(self._instance, run.run_id)
        if started is None:
            return CheckRunHealthResult(WorkerStatus.RUNNING, "its process has not started yet")
        pid, since = started
        if process_lives(pid, since):
            self._gone_since.pop(run.run_id, None)
            return CheckRunHealthResult(WorkerStatus.RUNNING, f"process {pid} lives")
        gone_for = time.time() - self._gone_since.setdefault(run.run_id, time.time())
        return dead_run_health(
            pid, gone_for, self._answering_for(server), current_settings().dead_run_seconds
        )

    def _answering_for(self, server: dict) -> float:
        """Seconds the code server has answered every check in a row (0: it does not now)."""
        from dagster._grpc.client import DagsterGrpcClient

        address = f"{server['host']}:{server.get('port')}"
        try:
            DagsterGrpcClient(host=server["host"], port=server.get("port")).ping("health")
        except Exception:
            self._answering_since.pop(address, None)
            return 0.0
        return time.time() - self._answering_since.setdefault(address, time.time())


def dead_run_health(
    pid: int, gone_for: float, answering_for: float, bound: float
) -> CheckRunHealthResult:
    """What run monitoring is told of a run whose process `pid` was found gone `gone_for` s ago,
    its code server answering for `answering_for` s: FAILED once that is `SETTLED_SECONDS`, or
    once the run has been gone for `bound` s."""
    cause = f"the run's process {pid} is gone (killed, or out of memory)"
    if answering_for >= SETTLED_SECONDS:
        return CheckRunHealthResult(WorkerStatus.FAILED, cause)
    if gone_for >= bound:
        return CheckRunHealthResult(
            WorkerStatus.FAILED,
            f"{cause}; its code server has not answered for {SETTLED_SECONDS} s in a row within "
            f"{bound:.0f} s ({variable('dead_run_seconds')}): a retry may fail too",
        )
    return CheckRunHealthResult(
        WorkerStatus.RUNNING,
        f"process {pid} is gone; waiting for its code server to answer for {SETTLED_SECONDS} s "
        f"({answering_for:.0f} s so far)",
    )


def run_process(instance: DagsterInstance, run_id: str) -> tuple[int, float] | None:
    """The pid the run's newest process logged when it started, and when."""
    records = instance.get_records_for_run(
        run_id, of_type=DagsterEventType.ENGINE_EVENT, ascending=False, limit=100
    ).records
    for record in records:
        entry = record.event_log_entry
        if (entry.dagster_event.message or "").startswith(STARTED_MESSAGE):
            pid = entry.dagster_event.event_specific_data.metadata["pid"].value
            return int(pid), entry.timestamp
    return None


def process_lives(pid: int, started_by: float) -> bool:
    """Whether process `pid` runs and is the one that started by `started_by` (not a new process
    that reuses the pid, nor a zombie)."""
    try:
        process = psutil.Process(pid)
        return process.create_time() <= started_by + 1 and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False
