"""A Dask cluster for a run: local, Coiled, or an existing scheduler, chosen by the run's size."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import dagster as dg
import dask
from distributed import Client, LocalCluster
from pydantic import Field

from gh_assets.compute.cluster_choice import ClusterConfigError, choose_cluster, scaled_workers
from gh_assets.compute.worker_config import WORKER_DASK_CONFIG
from gh_assets.tables.storage import STAGING, Storage, write_probe


@dataclass
class RunCluster:
    """The cluster a run works on, and what the run's metadata says of it."""

    client: Client
    mode: str
    reason: str
    dashboard_url: str | None
    workers: int
    name: str | None = None


def coiled_configured() -> bool:
    """Whether Coiled can find a token (DASK_COILED__TOKEN or its config file, as Coiled does)."""
    import coiled  # noqa: F401  (registers Coiled's dask config defaults)

    return bool(dask.config.get("coiled.token", None))


class DaskResource(dg.ConfigurableResource):
    """Hands a run a Dask client: local for a few days, Coiled for many, or a scheduler by address.

    Secrets never pass through here: Coiled reads its own token, workers get AWS credentials from
    Coiled's credential forwarding or their own role.
    """

    mode: Literal["auto", "local", "coiled", "address"] = Field(
        default="auto", description="auto, local, coiled or address (GH_ASSETS_DASK_MODE)."
    )
    address: str | None = Field(
        default=None, description="Scheduler address for mode=address (GH_ASSETS_DASK_ADDRESS)."
    )
    coiled_threshold: int = Field(
        default=7, ge=1, description="In auto mode, runs of more days use Coiled."
    )
    local_workers: int | None = Field(default=None, description="Local workers (default: cores).")
    local_threads_per_worker: int = Field(default=1, ge=1)
    local_memory_limit: str = Field(default="auto", description="Per local worker, e.g. '4GiB'.")
    coiled_workers: int | None = Field(
        default=None, description="Fixed Coiled worker count; unset scales with the days."
    )
    coiled_min_workers: int = Field(default=2, ge=1)
    coiled_max_workers: int = Field(default=40, ge=1)
    coiled_days_per_worker: float = Field(default=2.0, gt=0)
    coiled_worker_vm_types: list[str] | None = None
    coiled_worker_memory: str | None = None
    coiled_region: str | None = None
    coiled_software: str | None = Field(default=None, description="Coiled software environment.")
    coiled_container: str | None = None
    coiled_spot_policy: str = "spot_with_fallback"
    coiled_idle_timeout: str = Field(
        default="20 minutes", description="Coiled shuts an unused cluster down after this."
    )
    coiled_name_prefix: str = "gh-assets"
    coiled_tags: dict[str, str] = Field(default_factory=dict)

    @contextmanager
    def cluster(
        self, *, run_id: str, partition_count: int, storage: Storage, log=None
    ) -> Iterator[RunCluster]:
        """Start (or connect to) the run's cluster; always closed when the block ends."""
        has_token = coiled_configured() if self.mode in ("auto", "coiled") else False
        choice = choose_cluster(self.mode, partition_count, self.coiled_threshold, has_token)
        if log:
            log.info(f"Dask cluster: {choice.mode} ({choice.reason})")
            if choice.warning:
                log.warning(choice.warning)
        if choice.mode == "coiled" and not has_token:
            raise ClusterConfigError(
                "mode=coiled, but Coiled has no token: run `coiled login` "
                "or set DASK_COILED__TOKEN for the Dagster process"
            )
        if choice.mode == "coiled" and storage.is_local:
            raise ClusterConfigError(
                f"a Coiled cluster cannot write to the local folder {storage.url}: "
                "set GH_ASSETS_STORAGE=s3://bucket/prefix"
            )
        if choice.mode == "address" and not self.address:
            raise ClusterConfigError(
                "mode=address needs GH_ASSETS_DASK_ADDRESS, e.g. tcp://10.0.0.5:8786"
            )
        with dask.config.set(WORKER_DASK_CONFIG):  # Coiled sends a copy of it to its workers
            cluster, name = self._start_cluster(choice.mode, run_id, partition_count)
        try:
            client = Client(cluster if cluster is not None else self.address)
            try:
                if choice.mode == "address" and storage.is_local:
                    check_shared_folder(client, storage)
                yield RunCluster(
                    client=client,
                    mode=choice.mode,
                    reason=choice.reason,
                    dashboard_url=client.dashboard_link,
                    workers=len(client.scheduler_info()["workers"]),
                    name=name,
                )
            finally:
                client.close()
        finally:
            if cluster is not None:
                cluster.close()

    def _start_cluster(self, mode: str, run_id: str, partition_count: int):
        if mode == "local":
            return (
                LocalCluster(
                    n_workers=self.local_workers or os.cpu_count(),
                    threads_per_worker=self.local_threads_per_worker,
                    memory_limit=self.local_memory_limit,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address="127.0.0.1:0",
                ),
                None,
            )
        if mode == "coiled":
            name = f"{self.coiled_name_prefix}-{run_id}"
            return self._start_coiled(name, run_id, partition_count), name
        return None, None

    def _start_coiled(self, name: str, run_id: str, partition_count: int):
        import coiled

        workers = self.coiled_workers or scaled_workers(
            partition_count,
            self.coiled_min_workers,
            self.coiled_max_workers,
            self.coiled_days_per_worker,
        )
        optional = {
            "worker_vm_types": self.coiled_worker_vm_types,
            "worker_memory": self.coiled_worker_memory,
            "region": self.coiled_region,
            "software": self.coiled_software,
            "container": self.coiled_container,
        }
        started = time.monotonic()
        try:
            return coiled.Cluster(
                name=name,
                n_workers=workers,
                spot_policy=self.coiled_spot_policy,
                idle_timeout=self.coiled_idle_timeout,
                tags={**self.coiled_tags, "dagster-run-id": run_id},
                shutdown_on_close=True,
                **{key: value for key, value in optional.items() if value is not None},
            )
        except Exception as exc:
            raise ClusterConfigError(
                f"the Coiled cluster {name} did not start after "
                f"{time.monotonic() - started:.0f}s: {type(exc).__name__}: {exc}"
            ) from exc


def check_shared_folder(client: Client, storage: Storage) -> None:
    """Fail unless the cluster's workers write to the same local folder this process reads."""
    token = uuid.uuid4().hex
    probe = f"{storage.root}/{STAGING}/.probe-{token}"
    try:
        client.submit(write_probe, storage, probe, token, pure=False).result(timeout=60)
        seen = storage.fs.cat_file(probe).decode() if storage.fs.exists(probe) else None
    except Exception as exc:
        raise ClusterConfigError(
            f"the workers at {client.scheduler.address} could not write a probe file: {exc}"
        ) from exc
    if seen != token:
        raise ClusterConfigError(
            f"the workers at {client.scheduler.address} do not see the local folder {storage.url}: "
            "set GH_ASSETS_STORAGE=s3://bucket/prefix (or a folder shared with the workers)"
        )
    storage.fs.rm_file(probe)
