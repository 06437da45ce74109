"""What a team sets for its Coiled clusters, and the `coiled.Cluster` arguments that follow.

Each option is declared once here (default, validation, description): the Dagster resource nests
them as config, the settings model reads the ones a deployment sets from `GH_ASSETS_COILED_*`.
"""

from __future__ import annotations

from typing import Literal

import dask.utils
from pydantic import BaseModel, ConfigDict, Field, field_validator

SpotPolicy = Literal["on-demand", "spot", "spot_with_fallback"]


class CoiledOptions(BaseModel):
    """The Coiled cluster of a run: where it bills, its size, its machines, what runs on them."""

    model_config = ConfigDict(extra="forbid")

    workspace: str | None = Field(
        default=None,
        description="Coiled workspace the clusters run and bill in; unset: your default workspace",
    )
    adaptive: bool = Field(
        default=True,
        description="adapt the worker count to the work left, between the minimum and the run's "
        "size; false: a fixed count of the run's size",
    )
    min_workers: int = Field(
        default=2, ge=1, description="Coiled workers a run starts with and never goes below"
    )
    max_workers: int = Field(
        default=40,
        ge=1,
        description="Coiled workers a run may grow to: one per days_per_worker days of the run "
        "(2 by default), at most this",
    )
    days_per_worker: float = Field(
        default=2.0, gt=0, description="days of a run per Coiled worker when sizing it"
    )
    worker_vm_types: list[str] | None = Field(
        default=None,
        description="worker VM types, comma-separated, first preferred (e.g. "
        "m6i.xlarge,m6a.xlarge); unset: Coiled's default",
    )
    worker_memory: str | None = Field(
        default=None,
        description="memory per worker (e.g. 16GiB), letting Coiled pick the VM type; "
        "excludes worker VM types",
    )
    scheduler_vm_types: list[str] | None = Field(
        default=None,
        description="scheduler VM types, comma-separated; unset: Coiled's default",
    )
    arm: bool | None = Field(
        default=None,
        description="true: ARM (Graviton) VMs, cheaper per core; unset: Coiled's default (x86)",
    )
    region: str | None = Field(
        default=None,
        description="cloud region of the clusters (e.g. us-east-1, near the tables' bucket); "
        "unset: the workspace's default",
    )
    spot_policy: SpotPolicy = Field(
        default="spot_with_fallback",
        description="spot, on-demand, or spot_with_fallback (spot VMs, on-demand when "
        "spot has none)",
    )
    software: str | None = Field(
        default=None,
        description="Coiled software environment the workers run; unset (and no container): "
        "package sync copies this process's packages",
    )
    container: str | None = Field(
        default=None,
        description="container image the workers run (with this package installed); excludes "
        "a software environment",
    )
    wait_for_workers: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="share of the starting workers to wait for before work begins (0 to 1); "
        "unset: Coiled's default, 0.3",
    )
    idle_timeout: str = Field(
        default="20 minutes",
        description="Coiled shuts a cluster down after this long without work",
    )
    no_client_timeout: str = Field(
        default="2 minutes",
        description="Coiled shuts a cluster down after this long without a client (the Dagster "
        "process died); Coiled's own default would be the idle timeout",
    )
    environ: dict[str, str] = Field(
        default_factory=dict,
        description="environment variables for the workers; not secret (Coiled stores them with "
        "the cluster), so names that look like secrets are refused",
    )
    tags: dict[str, str] = Field(
        default_factory=dict, description="tags on the cluster (the run id is always added)"
    )
    name_prefix: str = Field(
        default="gh-assets", description="clusters are named <prefix>-<run id>"
    )
    worker_hourly_usd: float | None = Field(
        default=None,
        gt=0,
        description="price of one worker VM per hour in USD, for a run's cost estimate when "
        "Coiled gives none",
    )

    @field_validator("worker_vm_types", "scheduler_vm_types", mode="before")
    @classmethod
    def _comma_separated(cls, value):
        if isinstance(value, str):
            return [name.strip() for name in value.split(",") if name.strip()]
        return value

    @field_validator("idle_timeout", "no_client_timeout")
    @classmethod
    def _a_duration(cls, value: str) -> str:
        try:  # Coiled would parse it only when the cluster is requested
            dask.utils.parse_timedelta(value)
        except (KeyError, ValueError):
            raise ValueError(f"{value!r} is not a duration, e.g. '20 minutes'") from None
        return value

    def cluster_kwargs(self, name: str, run_id: str, n_workers: int) -> dict:
        """The `coiled.Cluster` arguments; options left unset keep Coiled's defaults."""
        optional = {
            "workspace": self.workspace,
            "worker_vm_types": self.worker_vm_types,
            "worker_memory": self.worker_memory,
            "scheduler_vm_types": self.scheduler_vm_types,
            "arm": self.arm,
            "region": self.region,
            "software": self.software,
            "container": self.container,
            "wait_for_workers": self.wait_for_workers,
            "environ": self.environ or None,
        }
        return {
            "name": name,
            "n_workers": n_workers,
            "spot_policy": self.spot_policy,
            "idle_timeout": self.idle_timeout,
            "no_client_timeout": self.no_client_timeout,
            "tags": {**self.tags, "dagster-run-id": run_id},
            "shutdown_on_close": True,
            # the widget prints the dashboard link, token included, into the step's captured
            # stdout
            "show_widget": False,
            **{key: value for key, value in optional.items() if value is not None},
        }
