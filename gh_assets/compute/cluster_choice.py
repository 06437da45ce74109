"""Which Dask cluster a run gets, and every check that must pass before one starts.

`choose_cluster` is pure: it takes the run's size and what the deployment configured, and gives the
cluster kind (and, for Coiled, the range of workers) or one `ClusterConfigError` saying what to fix.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Literal

from gh_assets.compute.coiled_options import CoiledOptions

ClusterKind = Literal["local", "coiled", "address"]
DaskMode = Literal["auto", ClusterKind]

# Coiled's `environ` travels in the cluster's creation request and is readable on the cluster
SECRET_MARKERS = ("TOKEN", "SECRET", "PASSWORD", "PASSWD", "KEY", "CREDENTIAL")


class ClusterConfigError(ValueError):
    """The cluster settings cannot work together; the message says how to fix them, each problem
    on a line of its own.

    `problems` are (message, setting) pairs: the setting (a `Settings` field) that fixes it, if
    one does; `setting` is the first problem's.
    """

    def __init__(self, message: str, setting: str | None = None, more=()):
        self.problems = [(message, setting), *more]
        super().__init__("\n".join(problem for problem, _ in self.problems))
        self.setting = setting


def refuse(problems: list[tuple[str, str | None]]) -> None:
    """Raise every problem together, if there is any."""
    if problems:
        (message, setting), *more = problems
        raise ClusterConfigError(message, setting, more)


class ClusterStartError(RuntimeError):
    """A cluster could not be started or used (Coiled refused it, its workers failed a probe);
    the message gives the answer that stopped it."""


@dataclass(frozen=True)
class WorkerRange:
    """A Coiled cluster's workers: it starts with `minimum` and adapts up to `maximum`."""

    minimum: int
    maximum: int

    @property
    def adaptive(self) -> bool:
        return self.minimum < self.maximum


@dataclass(frozen=True)
class ClusterRequest:
    """What the choice depends on: the run, the deployment's settings, and this process."""

    mode: DaskMode
    days: int
    coiled_threshold: int
    coiled: CoiledOptions
    has_coiled_token: bool
    storage_url: str
    storage_is_local: bool
    address: str | None = None


@dataclass(frozen=True)
class ClusterChoice:
    mode: ClusterKind
    reason: str
    warning: str | None = None
    workers: WorkerRange | None = None  # for Coiled


def choose_cluster(request: ClusterRequest) -> ClusterChoice:
    """Resolve `auto` (Coiled above the threshold when Coiled has a token, else local) and refuse,
    before any cluster starts, settings that cannot work: every problem at once."""
    problems = _coiled_option_problems(request.coiled) if may_use_coiled(request.mode) else []
    choice = _resolve(request)
    if choice.mode == "address" and not request.address:
        problems.append(
            (
                "mode `address` needs the scheduler's address, e.g. tcp://10.0.0.5:8786",
                "dask_address",
            )
        )
    if choice.mode == "coiled":
        if not request.has_coiled_token:
            problems.append(
                (
                    "mode `coiled`, but Coiled has no token: run `coiled login` "
                    "or set DASK_COILED__TOKEN for the Dagster process",
                    None,
                )
            )
        if request.storage_is_local:
            problems.append(
                (
                    f"a Coiled cluster cannot write to the local folder {request.storage_url}: "
                    "put the tables in object storage, e.g. s3://bucket/prefix",
                    "storage",
                )
            )
    refuse(problems)
    return choice


def may_use_coiled(mode: DaskMode) -> bool:
    """Whether runs in this mode may get a Coiled cluster (only then are its options checked)."""
    return mode in ("auto", "coiled")


def may_choose_coiled(mode: DaskMode, days: int, coiled_threshold: int) -> bool:
    """Whether this run may get a Coiled cluster: only then is Coiled's token looked up, which
    imports coiled (about 1 s of CPU in the Dagster process)."""
    return mode == "coiled" or (mode == "auto" and days > coiled_threshold)


def surely_local(mode: DaskMode, days: int, coiled_threshold: int) -> bool:
    """Whether this run gets a local cluster whatever else holds (so it may start early)."""
    return mode == "local" or (mode == "auto" and days <= coiled_threshold)


def may_read_few_files(first: dt.date, last: dt.date, today: dt.date) -> bool:
    """Whether a run of the days `first`..`last` may read only a few new hours: one day that the
    archive may still be adding hours to (today or yesterday, UTC)."""
    return first == last >= today - dt.timedelta(days=1)


def _resolve(request: ClusterRequest) -> ClusterChoice:
    if request.mode != "auto":
        return _chosen(request, request.mode, f"mode={request.mode} was asked for")
    days, threshold = request.days, request.coiled_threshold
    if surely_local(request.mode, days, threshold):
        return ClusterChoice("local", f"{days} day(s) <= coiled_threshold={threshold}")
    if request.has_coiled_token and request.storage_is_local:
        return ClusterChoice(
            "local",
            f"{days} days > coiled_threshold={threshold}, but the tables go to a local folder, "
            "which a Coiled cluster cannot write",
            warning=(
                f"running on a local cluster: a Coiled cluster cannot write to the local folder "
                f"{request.storage_url}; to use Coiled for large runs, put the tables in object "
                "storage (GH_ASSETS_STORAGE=s3://bucket/prefix)"
            ),
        )
    if request.has_coiled_token:
        return _chosen(request, "coiled", f"{days} days > coiled_threshold={threshold}")
    return ClusterChoice(
        "local",
        f"{days} days > coiled_threshold={threshold}, but Coiled has no token",
        warning=(
            "running on a local cluster: to use Coiled for large runs, run `coiled login` "
            "or set DASK_COILED__TOKEN in the environment of the Dagster process"
        ),
    )


def _chosen(request: ClusterRequest, mode: ClusterKind, reason: str) -> ClusterChoice:
    workers = worker_range(request.days, request.coiled) if mode == "coiled" else None
    return ClusterChoice(mode, reason, workers=workers)


def _coiled_option_problems(options: CoiledOptions) -> list[tuple[str, str | None]]:
    problems: list[tuple[str, str | None]] = []
    if options.min_workers > options.max_workers:
        problems.append(
            (
                f"coiled.min_workers={options.min_workers} is above "
                f"coiled.max_workers={options.max_workers}",
                None,
            )
        )
    exclusive = [
        ("worker_vm_types", "worker_memory", "VM types already fix the memory"),
        ("software", "container", "neither means package sync"),
    ]
    for first, second, why in exclusive:
        if getattr(options, first) and getattr(options, second):
            problems.append(
                (f"coiled.{first} and coiled.{second} exclude each other ({why}): set one", None)
            )
    secrets = sorted(
        name for name in options.environ if any(m in name.upper() for m in SECRET_MARKERS)
    )
    if secrets:
        problems.append(
            (
                f"coiled.environ would send {', '.join(secrets)} to the workers in the clear "
                "(Coiled's environ is stored with the cluster and readable on it): give the "
                "workers secrets through their cloud role or a secrets manager instead",
                None,
            )
        )
    return problems


def worker_range(days: int, options: CoiledOptions) -> WorkerRange:
    """Coiled workers for a run: up to one per `days_per_worker` days within the configured
    bounds; adaptive runs start at the minimum, fixed ones at that size."""
    size = scaled_workers(days, options.min_workers, options.max_workers, options.days_per_worker)
    return WorkerRange(options.min_workers if options.adaptive else size, size)


def scaled_workers(partition_count: int, minimum: int, maximum: int, days_per_worker: float) -> int:
    """Workers for a run: one per `days_per_worker` days, between `minimum` and `maximum`."""
    wanted = math.ceil(partition_count / days_per_worker)
    return max(minimum, min(maximum, wanted))
