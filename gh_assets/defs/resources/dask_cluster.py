"""A Dask cluster for a run: local, Coiled, or an existing scheduler, chosen by the run's size."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import dagster as dg
from pydantic import Field, PrivateAttr

from gh_assets.compute.cluster_choice import (
    ClusterChoice,
    ClusterConfigError,
    ClusterKind,
    ClusterRequest,
    ClusterStartError,
    DaskMode,
    choose_cluster,
    may_choose_coiled,
    may_read_few_files,
    surely_local,
)
from gh_assets.compute.coiled_cluster import coiled_cluster, has_coiled_token
from gh_assets.compute.coiled_cost import CoiledBill, RunCost, coiled_bill, run_cost
from gh_assets.compute.coiled_options import CoiledOptions
from gh_assets.compute.local_cluster import StartingCluster, local_cluster, threaded_cluster
from gh_assets.compute.worker_usage import WorkerCounter, WorkerUsage
from gh_assets.defs.day_records import recorded_days
from gh_assets.defs.setting_failures import setting_failure
from gh_assets.reporting import Figure, Url
from gh_assets.settings import setting_field, variable
from gh_assets.tables.catalogue import ARCHIVE_TABLES
from gh_assets.tables.storage import STAGING, Storage, write_probe

if TYPE_CHECKING:  # distributed is imported when a run starts a cluster, not with the code location
    from distributed import Client


# The tags Dagster gives a run of one partition, or of a range of them
PARTITION_TAG = "dagster/partition"
RANGE_TAGS = ("dagster/asset_partition_range_start", "dagster/asset_partition_range_end")


def run_day_span(tags: Mapping[str, str]) -> tuple[dt.date, dt.date] | None:
    """The first and last day a daily-partitioned run covers, from its tags (None: not known)."""
    try:
        if PARTITION_TAG in tags:
            day = dt.date.fromisoformat(tags[PARTITION_TAG])
            return day, day
        first, last = (dt.date.fromisoformat(tags[tag]) for tag in RANGE_TAGS)
    except (KeyError, ValueError):
        return None
    return first, last


def built_before(context: dg.InitResourceContext, first: dt.date, last: dt.date) -> bool:
    """Whether each day from `first` to `last` has a record of each archive table the run
    selects (all of them when it names none)."""
    selected = context.run.asset_selection
    tables = [t.name for t in ARCHIVE_TABLES if not selected or dg.AssetKey(t.name) in selected]
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    return bool(tables) and all(
        len(recorded_days(context.instance, table, days)) == len(days) for table in tables
    )


def run_day_count(tags: Mapping[str, str]) -> int | None:
    """The days a daily-partitioned run covers, from its tags (None: not known from them)."""
    span = run_day_span(tags)
    return None if span is None else (span[1] - span[0]).days + 1


class CoiledConfig(dg.Config, CoiledOptions):
    """The Coiled options of `gh_assets/compute/coiled_options.py`, as the resource's config."""


@dataclass
class RunCluster:
    """The cluster a run works on, and what the run's metadata says of it; usage and cost are
    filled in when the run's work on it is done."""

    client: Client
    mode: ClusterKind
    reason: str
    name: str | None = None
    coiled_workspace: str | None = None
    coiled_details_url: str | None = None
    usage: WorkerUsage | None = None
    bill: CoiledBill | None = None
    cost: RunCost | None = None
    has_dashboard: bool = True
    in_process: bool = False  # its workers are threads of this process
    dashboard_url: str | None = field(init=False)
    workers_at_start: int = field(init=False)

    def __post_init__(self):
        # Coiled's dashboard link carries the cluster's access token (also its Jupyter's and
        # Spark's): a Coiled run shows its cluster's page, which opens the dashboard for a
        # signed-in user, instead
        coiled = self.mode == "coiled"
        dashboard = self.coiled_details_url if coiled else self.client.dashboard_link
        self.dashboard_url = dashboard if self.has_dashboard else None
        self.workers_at_start = len(self.client.nthreads())

    def figures(self) -> dict[str, Figure]:
        figures: dict[str, Figure | None] = {
            "dask_mode": self.mode,
            "dask_mode_reason": self.reason,
            "dask_workers_at_start": self.workers_at_start,
            "dask_cluster_name": self.name,
            # the cluster closes with the step: the link is live only while the run works
            "dask_dashboard_during_run": Url(self.dashboard_url) if self.dashboard_url else None,
            "coiled_workspace": self.coiled_workspace,
            "coiled_cluster": Url(self.coiled_details_url) if self.coiled_details_url else None,
        }
        if self.usage:
            figures["dask_peak_workers"] = self.usage.peak_workers
            figures["dask_worker_minutes"] = round(self.usage.worker_minutes, 2)
        if self.bill:
            figures["coiled_worker_vm_types"] = ", ".join(self.bill.worker_vm_types) or None
            figures["coiled_scheduler_vm_type"] = self.bill.scheduler_vm_type
        if self.cost:
            figures["cost_usd"] = round(self.cost.usd, 4)
            figures["cost_basis"] = self.cost.basis
        return {name: figure for name, figure in figures.items() if figure is not None}


class DaskResource(dg.ConfigurableResource):
    """Hands a run a Dask client: local for a few days, Coiled for many, or a scheduler by address.

    Secrets never pass through here: Coiled reads its own token, workers get AWS credentials from
    Coiled's credential forwarding or their own role.
    """

    mode: DaskMode = setting_field("dask_mode")
    address: str | None = setting_field("dask_address")
    coiled_threshold: int = setting_field("coiled_threshold")
    local_workers: int | None = Field(default=None, description="Local workers (default: cores).")
    local_threads_per_worker: int = Field(default=1, ge=1)
    local_memory_limit: str = Field(default="auto", description="Per local worker, e.g. '4GiB'.")
    local_threads_up_to_files: int = Field(
        default=3,
        ge=0,
        description="A local run that reads at most this many hourly files (an hour's run of a "
        "growing day) works on threads of the run's process: worker processes cost more than its "
        "work. 0: always worker processes.",
    )
    local_dashboard: bool = Field(
        default=True,
        description="Serve the local cluster's Dask dashboard on 127.0.0.1 while a run works on "
        "worker processes (it costs the Dagster process about 0.4 s of CPU a run); false: no "
        "dashboard, no link. A run on threads serves none.",
    )
    coiled: CoiledConfig = Field(
        default_factory=CoiledConfig,
        description="The Coiled cluster: workspace, size, machines, software (GH_ASSETS_COILED_*).",
    )
    _starting: StartingCluster | None = PrivateAttr(default=None)
    _closing: list[threading.Thread] | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """In a run, a local cluster starts now, while the run's first steps (the manifest) work,
        when the run's days make it local for sure and it will read whole days (a run of only
        today or yesterday may read a few new hours, on threads), unless every one of its days
        was built before (a re-run, likely up to date, would not use it); never a Coiled cluster,
        which bills from its start. Clusters close in the background when their block ends, and
        before the run ends."""
        self._closing = []
        span = run_day_span(context.run.tags) if context.run else None
        if span is not None and self._starts_early(*span) and not built_before(context, *span):
            self._starting = StartingCluster(*self._local_arguments())
            if context.log:
                days = (span[1] - span[0]).days + 1
                context.log.info(f"Dask cluster: local for {days} day(s), starting with the run")

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._starting is not None:  # the run ended before it used the cluster
            self._starting.close()
        for closing in self._closing or ():
            closing.join()

    def _starts_early(self, first: dt.date, last: dt.date) -> bool:
        today = dt.datetime.now(dt.UTC).date()
        local = surely_local(self.mode, (last - first).days + 1, self.coiled_threshold)
        return local and not may_read_few_files(first, last, today)

    def _local_arguments(self) -> tuple:
        workers = self.local_workers or os.cpu_count()
        return workers, self.local_threads_per_worker, self.local_memory_limit, self.local_dashboard

    @contextmanager
    def cluster(
        self,
        *,
        run_id: str,
        partition_count: int,
        storage: Storage,
        log=None,
        file_count: int | None = None,
    ) -> Iterator[RunCluster]:
        """Start (or connect to) the run's cluster for `file_count` hourly files to read (None:
        not known); always closed when the block ends."""
        choice = self.choose(partition_count, storage)
        on_threads = choice.mode == "local" and self._on_threads(file_count)
        if on_threads:
            reason = f"{choice.reason}; {file_count} file(s) to read: threads of this process"
            choice = dataclasses.replace(choice, reason=reason)
        if log:
            log.info(f"Dask cluster: {choice.mode} ({choice.reason})")
            if choice.warning:
                log.warning(choice.warning)
        launch = {
            "local": functools.partial(self._local_cluster, on_threads=on_threads),
            "coiled": self._coiled_cluster,
            "address": self._scheduler_at_address,
        }[choice.mode]
        with launch(choice, run_id, storage, log) as run, WorkerCounter(run.client) as counter:
            yield run
        run.usage = counter.usage()
        if run.mode == "coiled":
            run.cost = run_cost(run.bill, run.usage, self.coiled.worker_hourly_usd)

    def choose(self, partition_count: int, storage: Storage) -> ClusterChoice:
        """The cluster for a run of `partition_count` days, or the error that prevents any."""
        request = ClusterRequest(
            mode=self.mode,
            days=partition_count,
            coiled_threshold=self.coiled_threshold,
            coiled=self.coiled,
            has_coiled_token=may_choose_coiled(self.mode, partition_count, self.coiled_threshold)
            and has_coiled_token(),
            storage_url=storage.url,
            storage_is_local=storage.is_local,
            address=self.address,
        )
        try:
            return choose_cluster(request)
        except ClusterConfigError as exc:
            (first, setting), *more = [
                (f"{message} (set {variable(setting)})" if setting else message, setting)
                for message, setting in exc.problems
            ]
            raise ClusterConfigError(first, setting, more) from None

    def _on_threads(self, file_count: int | None) -> bool:
        """Whether a local run of `file_count` files works on threads (not when a cluster of
        worker processes has started already)."""
        small = file_count is not None and file_count <= self.local_threads_up_to_files
        return small and self._starting is None

    @contextmanager
    def _local_cluster(
        self, choice: ClusterChoice, run_id: str, storage: Storage, log, on_threads: bool
    ):
        from distributed import Client

        starting, self._starting = self._starting, None
        workers, threads_per_worker, *_ = arguments = self._local_arguments()
        if starting:
            cluster = starting.take()
        elif on_threads:
            cluster = threaded_cluster(workers * threads_per_worker)
        else:
            cluster = local_cluster(*arguments)
        try:
            with Client(cluster) as client:
                yield RunCluster(
                    client,
                    choice.mode,
                    choice.reason,
                    has_dashboard=self.local_dashboard and not on_threads,
                    in_process=on_threads,
                )
        finally:
            if self._closing is None:  # outside a run: nothing waits for a background close
                cluster.close()
            else:
                self._closing.append(threading.Thread(target=cluster.close, daemon=True))
                self._closing[-1].start()

    @contextmanager
    def _coiled_cluster(self, choice: ClusterChoice, run_id: str, storage: Storage, log):
        from distributed import Client

        name = f"{self.coiled.name_prefix}-{run_id}"
        with (
            coiled_cluster(self.coiled, name, run_id, choice.workers) as cluster,
            Client(cluster) as client,
        ):
            run = RunCluster(
                client,
                choice.mode,
                choice.reason,
                name=name,
                coiled_workspace=cluster.workspace,
                coiled_details_url=cluster.details_url,
            )
            yield run
            try:
                run.bill = coiled_bill(cluster)
            except Exception as exc:  # a private call of Coiled's: the cost falls back to ours
                if log:
                    log.warning(f"Coiled gave no cost for {name}: {type(exc).__name__}: {exc}")

    @contextmanager
    def _scheduler_at_address(self, choice: ClusterChoice, run_id: str, storage: Storage, log):
        from distributed import Client

        with Client(self.address) as client:
            if storage.is_local:
                check_shared_folder(client, storage)
            yield RunCluster(client, choice.mode, choice.reason)


def check_cluster_settings(
    context: dg.AssetExecutionContext, dask: DaskResource, partition_count: int, storage: Storage
) -> None:
    """Fail the step, before any work, with every problem of the cluster settings a run of
    `partition_count` days would meet; such a failure is not retried (a setting must change)."""
    try:
        dask.choose(partition_count, storage)
    except ClusterConfigError as error:
        raise setting_failure(context, str(error)) from None


def check_shared_folder(client: Client, storage: Storage) -> None:
    """Fail unless the cluster's workers write to the same local folder this process reads."""
    token = uuid.uuid4().hex
    probe = f"{storage.root}/{STAGING}/.probe-{token}"
    try:
        client.submit(write_probe, storage, probe, token, pure=False).result(timeout=60)
        seen = storage.fs.cat_file(probe).decode() if storage.fs.exists(probe) else None
    except Exception as exc:
        raise ClusterStartError(
            f"the workers at {client.scheduler.address} could not write a probe file: {exc}"
        ) from exc
    if seen != token:
        raise ClusterConfigError(
            f"the workers at {client.scheduler.address} do not see the local folder {storage.url}: "
            "set GH_ASSETS_STORAGE=s3://bucket/prefix (or a folder shared with the workers)"
        )
    storage.fs.rm_file(probe)
