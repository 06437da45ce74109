"""A Dask preload for `bench.end_to_end`: records the cluster's start, every task, and what each
process imported.

Loaded by path through `DASK_DISTRIBUTED__SCHEDULER__PRELOAD` and `..._WORKER__PRELOAD`, so the
code under test is unchanged. Writes JSON lines to `$E2E_TRACE_DIR/<role>-<pid>.jsonl`: the
scheduler's start, each worker's arrival, each finished task's key, worker and compute start and
stop (epoch seconds); and, when the scheduler (in the Dagster process) or a worker closes, how
many modules that process had imported and whether pandas or Dagster's CLI were among them.
"""

from __future__ import annotations

import json
import os
import sys
import time

from distributed import Scheduler
from distributed.diagnostics.plugin import SchedulerPlugin


class TaskTrace(SchedulerPlugin):
    name = "gh-assets-bench-trace"

    def __init__(self, folder: str):
        path = os.path.join(folder, f"scheduler-{os.getpid()}.jsonl")
        self.file = open(path, "a", buffering=1)  # noqa: SIM115 (open as long as the scheduler)

    def _write(self, **record) -> None:
        self.file.write(json.dumps(record) + "\n")

    async def start(self, scheduler) -> None:
        self._write(event="scheduler_start", t=time.time())

    def add_worker(self, scheduler, worker: str) -> None:
        self._write(event="add_worker", t=time.time(), worker=worker)

    def transition(self, key, start, finish, *args, **kwargs) -> None:
        if start == "processing" and finish in ("memory", "erred"):
            computes = [
                (s["start"], s["stop"])
                for s in kwargs.get("startstops") or ()
                if s.get("action") == "compute"
            ]
            self._write(event="task", key=str(key), worker=kwargs.get("worker"), computes=computes)

    async def close(self) -> None:
        self._write(event="scheduler_close", t=time.time(), **imported())
        self.file.close()


def imported() -> dict:
    return {
        "modules": len(sys.modules),
        "pandas": "pandas" in sys.modules,
        "dagster_cli": "dagster._cli" in sys.modules,
    }


def dask_setup(server) -> None:
    if isinstance(server, Scheduler):
        server.add_plugin(TaskTrace(os.environ["E2E_TRACE_DIR"]))


def dask_teardown(server) -> None:
    if not isinstance(server, Scheduler):
        path = os.path.join(os.environ["E2E_TRACE_DIR"], f"worker-{os.getpid()}.jsonl")
        with open(path, "a") as file:
            file.write(json.dumps({"event": "worker_close", **imported()}) + "\n")
