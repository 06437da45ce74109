"""A multi-process Dask cluster on loopback: `dask scheduler` and `dask worker` subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from gh_assets_tests.harnesses.processes import stop_process_group

BIN = Path(sys.executable).parent


@dataclass
class DaskProcesses:
    """`dask scheduler` and `dask worker --nworkers N` as subprocesses of their own."""

    workdir: Path
    workers: int = 2
    env: dict[str, str] = field(default_factory=dict)
    worker_wrapper: list[str] = field(default_factory=list)
    address: str = ""
    scheduler: subprocess.Popen | None = None
    worker_processes: list[subprocess.Popen] = field(default_factory=list)

    def start(self, timeout: float = 60) -> DaskProcesses:
        scheduler_file = self.workdir / "scheduler.json"
        self.scheduler = self._spawn(
            "scheduler",
            ["scheduler", "--host", "127.0.0.1", "--port", "0"]
            + ["--dashboard-address", "127.0.0.1:0", "--scheduler-file", str(scheduler_file)],
        )
        deadline = time.monotonic() + timeout
        while not scheduler_file.exists():
            if time.monotonic() > deadline or self.scheduler.poll() is not None:
                self.stop()
                raise RuntimeError(f"dask scheduler did not start: {self.log('scheduler')}")
            time.sleep(0.1)
        time.sleep(0.2)
        self.address = json.loads(scheduler_file.read_text())["address"]
        self.add_worker_process(self.workers)
        return self

    def add_worker_process(self, nworkers: int) -> subprocess.Popen:
        """Another `dask worker` process group running `nworkers` worker processes."""
        worker = self._spawn(
            f"worker-{len(self.worker_processes)}",
            ["worker", self.address, "--nworkers", str(nworkers), "--nthreads", "1"]
            + ["--host", "127.0.0.1", "--no-dashboard", "--memory-limit", "2GiB"],
            wrapper=self.worker_wrapper,
        )
        self.worker_processes.append(worker)
        return worker

    def _spawn(self, name: str, arguments: list[str], wrapper=()) -> subprocess.Popen:
        with open(self.workdir / f"{name}.log", "wb") as log:
            return subprocess.Popen(
                [*wrapper, str(BIN / "dask"), *arguments],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.workdir,
                env={**os.environ, **self.env},
                start_new_session=True,
            )

    def log(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text()[-3000:] if path.exists() else ""

    def stop(self) -> None:
        for process in [*self.worker_processes, self.scheduler]:
            if process is not None:
                stop_process_group(process)
