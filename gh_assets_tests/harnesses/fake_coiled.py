"""A stand-in for Coiled's cloud, which cannot be reached from here.

`coiled.Cluster` is replaced by a factory that records the arguments it was called with and
returns a real multi-process `LocalCluster`, whose worker PIDs and closing are recorded too. The
record is JSON lines in the file named by GH_ASSETS_TEST_COILED_RECORD.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import coiled
from distributed import LocalCluster

RECORD_ENV = "GH_ASSETS_TEST_COILED_RECORD"


def _record(entry: dict) -> None:
    with open(os.environ[RECORD_ENV], "a") as file:
        file.write(json.dumps(entry, default=str) + "\n")


class RecordedCluster(LocalCluster):
    def close(self, *args, **kwargs):
        _record({"event": "closed", "name": self.recorded_name})
        return super().close(*args, **kwargs)


def fake_cluster(**kwargs) -> LocalCluster:
    _record({"event": "created", "kwargs": kwargs})
    cluster = RecordedCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
    )
    cluster.recorded_name = kwargs.get("name")
    pids = [nanny.pid for nanny in cluster.workers.values()]
    _record({"event": "started", "worker_pids": pids, "dashboard": cluster.dashboard_link})
    return cluster


def read_record(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def install() -> None:
    coiled.Cluster = fake_cluster
