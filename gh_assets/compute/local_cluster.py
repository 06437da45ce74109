"""The local Dask cluster, with worker processes that start lean.

multiprocessing starts a worker process by re-running the parent's main module in it (as
`__mp_main__`, so that functions defined there can be unpickled). In a run that module is the
Dagster CLI or Dagster's run worker: about 700 modules and 0.6-2 s of CPU per worker, never used,
since the tasks are functions of this package. It is hidden while the workers start.

The workers are forked from a forkserver: a fresh interpreter (not a fork of the Dagster process
and its threads) that imports the transform and the publish once, so a worker starts in a fraction
of a second with them imported (one day's run: 1.2 s less fixed cost and 1 s less CPU than
spawned workers, 25 MB less per worker). Distributed's own forkserver preload would import every
optional package it knows (pandas, bokeh, ...) in the Dagster process first; ours replaces it.
A forked worker inherits the forkserver's environment, from when the forkserver started: the
workers are given the current environment instead, as spawned ones would see it.

A run that reads only a few files (an hour's run of a growing day) works on threads of its own
process instead (`threaded_cluster`): its worker processes cost more than they give (an hour's
run of 25 MB, `bench/hourly.py`: 0.25 s of CPU, 5%, and about 450 MB of memory more, for the same
wall). The transform spends its time in pyarrow, isal and orjson, which release the GIL or are
short: a whole day of 24 files took the same wall and CPU on two threads as on two worker
processes, but processes keep their memory limit and a crash to themselves, so larger runs keep
them.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import dask

from gh_assets.compute.worker_config import WORKER_DASK_CONFIG

if TYPE_CHECKING:
    from distributed import LocalCluster

WORKER_CLOSING = "gh_assets.compute.worker_closing"  # a preload: see its docstring
WORKER_MODULES = (
    "distributed",
    "gh_assets.compute.hour_transform",
    "gh_assets.compute.day_publish",
    WORKER_CLOSING,
)


@contextmanager
def main_module_hidden() -> Iterator[None]:
    """Processes started in this block do not re-run this process's `__main__`.

    multiprocessing finds it by the module's `__spec__` (run with `-m`) or `__file__` (a script);
    both are put back when the block ends. A worker restarted later (after a crash) re-runs it:
    slower, not wrong.
    """
    main = sys.modules["__main__"]
    saved = {
        name: main.__dict__[name] for name in ("__file__", "__spec__") if name in main.__dict__
    }
    main.__dict__.pop("__file__", None)
    main.__spec__ = None
    try:
        yield
    finally:
        main.__dict__.update(saved)


def _use_our_forkserver_preload() -> None:
    import distributed.utils

    if not distributed.utils._forkserver_preload_set:
        multiprocessing.get_context("forkserver").set_forkserver_preload(list(WORKER_MODULES))
        distributed.utils._forkserver_preload_set = True  # distributed then keeps ours


def local_cluster(
    workers: int, threads_per_worker: int, memory_limit: str, dashboard: bool = True
) -> LocalCluster:
    """A cluster of `workers` worker processes on this machine, its dashboard (if wanted) on
    127.0.0.1."""
    from distributed import LocalCluster

    _use_our_forkserver_preload()
    config = {
        **WORKER_DASK_CONFIG,
        "distributed.worker.multiprocessing-method": "forkserver",
        "distributed.worker.preload": [WORKER_CLOSING],
    }
    with dask.config.set(config), main_module_hidden():
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=threads_per_worker,
            memory_limit=memory_limit,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",  # also the scheduler's HTTP server (health)
            scheduler_kwargs={"dashboard": dashboard},
            env=dict(os.environ),
        )


def threaded_cluster(threads: int) -> LocalCluster:
    """A cluster whose one worker is `threads` threads of this process, without memory limit or
    dashboard: it is for runs of a few files, over in seconds (a dashboard would cost such a run
    0.26 s of CPU, about 6% of an hour's run)."""
    from distributed import LocalCluster

    return LocalCluster(
        n_workers=1,
        threads_per_worker=threads,
        processes=False,
        memory_limit=0,
        scheduler_kwargs={"dashboard": False},
    )


class StartingCluster:
    """A local cluster starting in a thread, so that its start overlaps other work (a run's first
    steps); `take` waits for it (raising what stopped it), `close` closes it if never taken."""

    def __init__(self, workers: int, threads_per_worker: int, memory_limit: str, dashboard: bool):
        self._cluster: LocalCluster | None = None
        self._error: BaseException | None = None
        self._taken = False
        arguments = (workers, threads_per_worker, memory_limit, dashboard)
        self._thread = threading.Thread(target=self._start, args=arguments, daemon=True)
        self._thread.start()

    def _start(self, *arguments) -> None:
        try:
            self._cluster = local_cluster(*arguments)
        except BaseException as exc:  # re-raised in the thread that takes the cluster
            self._error = exc

    def take(self) -> LocalCluster:
        self._thread.join()
        if self._error is not None:
            raise self._error
        self._taken = True
        return self._cluster

    def close(self) -> None:
        self._thread.join()
        if self._cluster is not None and not self._taken:
            self._cluster.close()
