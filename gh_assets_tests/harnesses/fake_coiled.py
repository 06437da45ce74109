"""A stand-in for Coiled's cloud, which cannot be reached from here.

`coiled.Cloud` (the connection to Coiled) becomes a stub, and `coiled.Cluster` a factory that
records its arguments and returns a real multi-process `LocalCluster` with what a started
`coiled.Cluster` exposes: its id, workspace, details URL, a dashboard link with an access token,
and the connection whose private details call gives VM types and cost. Adapt calls, closing and
worker PIDs are recorded too: JSON lines in the file named by GH_ASSETS_TEST_COILED_RECORD.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import coiled
import dask
from distributed import LocalCluster

from gh_assets.compute.local_cluster import WORKER_CLOSING

RECORD_ENV = "GH_ASSETS_TEST_COILED_RECORD"
MAX_PROCESSES = 3  # a cluster asked for more workers gets this many local worker processes
VM_TYPE = "fake.xlarge"
SCHEDULER_VM_TYPE = "fake.large"
TLS_KEY = "-----BEGIN PRIVATE KEY----- fake cluster key"
CLOUD_COST_PER_WORKER_HOUR = 0.2
DASHBOARD_TOKEN = "fake0dashboard0token0of0the0cluster"  # Coiled's link carries one


def _record(entry: dict) -> None:
    with open(os.environ[RECORD_ENV], "a") as file:
        file.write(json.dumps(entry, default=str) + "\n")


class FakeConnection:
    """`coiled.Cloud`, this process's connection to Coiled (the real one checks the token)."""

    def __init__(self, token: str | None = None, **kwargs):
        self.token = token

    def close(self) -> None:
        pass


class FakeCloud:
    """The cluster's connection to Coiled, as far as a run's cost report uses it."""

    def __init__(self, cluster: RecordedCluster):
        self.cluster = cluster
        self.started = time.monotonic()

    def _get_cluster_details_synced(self, cluster_id: int, workspace: str | None = None) -> dict:
        """The shape of Coiled's cluster record (coiled/v2/core.py `_get_cluster_details`),
        secrets included as in the real one."""
        workers = len(self.cluster.workers)
        hours = (time.monotonic() - self.started) / 3600
        return {
            "id": cluster_id,
            "name": self.cluster.recorded_name,
            "scheduler": {"instance": {"instance_type_id": SCHEDULER_VM_TYPE}},
            "workers": [{"instance": {"instance_type_id": VM_TYPE}} for _ in range(workers)],
            "cost_per_hour": 20 * CLOUD_COST_PER_WORKER_HOUR * workers,
            "cloud_cost_per_hour": CLOUD_COST_PER_WORKER_HOUR * workers,
            "total_cost": 20 * CLOUD_COST_PER_WORKER_HOUR * workers * hours,
            "cloud_total_cost": CLOUD_COST_PER_WORKER_HOUR * workers * hours,
            "billable_time": hours * 3600,
            "cluster_options": {"tls_key": TLS_KEY, "region_name": "us-east-1"},
        }


class RecordedCluster(LocalCluster):
    @property
    def dashboard_link(self) -> str:
        """As Coiled's (coiled/v2/cluster.py): the scheduler's dashboard with its access token."""
        return f"{super().dashboard_link}?token={DASHBOARD_TOKEN}"

    def adapt(self, *args, minimum: int, maximum: int, **kwargs):
        _record({"event": "adapt", "minimum": minimum, "maximum": maximum})
        capped = {"minimum": min(minimum, MAX_PROCESSES), "maximum": min(maximum, MAX_PROCESSES)}
        return super().adapt(*args, **capped, **kwargs)

    def close(self, *args, **kwargs):
        _record({"event": "closed", "name": self.recorded_name})
        return super().close(*args, **kwargs)


def fake_cluster(**kwargs) -> LocalCluster:
    cloud = kwargs.pop("cloud", None)
    _record(
        {
            "event": "created",
            "kwargs": kwargs,
            # what coiled.Cluster would copy into the cluster's dask config, and the connection's
            "shipped_coiled_token": dask.config.get("coiled.token", None),
            "connection_has_token": bool(getattr(cloud, "token", None)),
        }
    )
    # a Coiled cluster's workers log on their VMs; these would print their closing heartbeat's
    # tracebacks into the run's output, as the local cluster's do without its worker preload
    with dask.config.set({"distributed.worker.preload": [WORKER_CLOSING]}):
        cluster = RecordedCluster(
            n_workers=min(kwargs.get("n_workers", 2), MAX_PROCESSES),
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
        )
    cluster.recorded_name = kwargs.get("name")
    cluster.cluster_id = 4242
    cluster.workspace = kwargs.get("workspace") or "default-workspace"
    cluster.details_url = (
        f"https://cloud.coiled.io/clusters/{cluster.cluster_id}?workspace={cluster.workspace}"
    )
    cluster.cloud = FakeCloud(cluster)
    pids = [nanny.pid for nanny in cluster.workers.values()]
    _record({"event": "started", "worker_pids": pids, "dashboard": cluster.dashboard_link})
    return cluster


def read_record(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def install() -> None:
    coiled.Cloud = FakeConnection
    coiled.Cluster = fake_cluster
