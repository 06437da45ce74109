"""Every `GH_ASSETS_*` setting once: its name, default, type, validation and description.

The environment is read once per process (`current_settings`); resources, the backfill policy and
the sensor take their values from here, and a resource field that a setting configures is declared
by it (`setting_field`). Descriptions are plain text: the UI shows them unrendered. A wrong value
stops the code location from loading with one line that names the variable. Secrets are never
settings: S3, Coiled and GitHub credentials are found by their own clients in the environment.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.fields import FieldInfo

from gh_assets.archive.names import FIRST_DAY
from gh_assets.archive.source import (
    DEFAULT_SOURCE_URL,
    validate_source_url,
    without_credentials,
)
from gh_assets.compute.cluster_choice import DaskMode
from gh_assets.compute.coiled_options import CoiledOptions
from gh_assets.github.client import DEFAULT_API_URL, TOKEN_VARIABLE, validate_api_url
from gh_assets.github.following import FollowedRepos
from gh_assets.tables.storage import validate_storage_url

PREFIX = "GH_ASSETS_"
UnreadablePolicy = Literal["fail", "skip"]
# The Coiled options a deployment sets by variable (`GH_ASSETS_COILED_<NAME>`); the others are
# the Dask resource's config.
COILED_VARIABLES = (
    "workspace",
    "adaptive",
    "min_workers",
    "max_workers",
    "worker_vm_types",
    "scheduler_vm_types",
    "arm",
    "region",
    "spot_policy",
    "software",
    "container",
    "wait_for_workers",
    "worker_hourly_usd",
)


class SettingsError(ValueError):
    """A GH_ASSETS_* variable has a value the pipeline cannot use."""


class Settings(BaseModel):
    """The deployment's settings; each field `name` is the variable `GH_ASSETS_<NAME>`, each
    Coiled option `name` of `COILED_VARIABLES` the variable `GH_ASSETS_COILED_<NAME>`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source_url: str = Field(
        default=DEFAULT_SOURCE_URL,
        description="where the hourly files are: the archive, an HTTP mirror, a folder "
        "(file:///data/gharchive) or a bucket (s3://bucket/gharchive)",
    )
    storage: str = Field(
        default="data",
        description="where tables go: a folder (relative to the working directory) or "
        "s3://bucket/prefix",
    )
    s3_endpoint_url: str | None = Field(
        default=None,
        description="endpoint of an S3-compatible store (Ceph, MinIO, R2), for tables and an "
        "s3:// source; unset: AWS",
    )
    dask_mode: DaskMode = Field(default="auto", description="auto, local, coiled, or address")
    dask_address: str | None = Field(
        default=None, description="scheduler for address, e.g. tcp://10.0.0.5:8786"
    )
    coiled_threshold: int = Field(
        default=7, ge=1, description="in auto, runs of more days than this use Coiled"
    )
    coiled: CoiledOptions = Field(default_factory=CoiledOptions)  # those in COILED_VARIABLES
    max_partitions_per_run: int | None = Field(
        default=None,
        ge=1,
        description="split backfills into runs of at most N days; unset: one run per backfill",
    )
    sensor_first_day: dt.date | None = Field(
        default=None,
        description="first day the sensor watches when it has no cursor; unset: yesterday",
    )
    freshness_hours: int | None = Field(
        default=None,
        ge=1,
        description="hours the tables may lag: each table gets a Dagster freshness policy (failing "
        "after this long without a materialization) and events a check that warns when the "
        "archive's newest hour is more than this ahead of the newest hour built; unset: none "
        "(tables of history only)",
    )
    force_rebuild: bool = Field(
        default=False,
        description="rebuild every day a run covers, also those up to date (built by this "
        "code from the same hour files, their files in storage); a run's config can set it too",
    )
    unreadable_files: UnreadablePolicy = Field(
        default="fail",
        description="a file still not gzip after every attempt: fail its day, or skip it "
        "(counted, check fails)",
    )
    api_commits_repos: str | None = Field(
        default=None,
        description="repositories whose pushes without a commit list api_commits asks GitHub "
        "about: owner/name and owner/*, comma-separated; unset: none (api_commits is written "
        "empty, and no token is needed)",
    )
    github_api_url: str = Field(
        default=DEFAULT_API_URL,
        description=f"GitHub's REST API (Enterprise Server: https://HOST/api/v3); the token is "
        f"{TOKEN_VARIABLE} in the environment, never a setting",
    )
    github_api_concurrency: int = Field(
        default=4, ge=1, le=32, description="requests to GitHub in flight at once"
    )
    github_api_max_wait_seconds: int = Field(
        default=3600,
        ge=0,
        description="longest wait for GitHub's rate limit; a longer one stops the day's asking "
        "(the pushes left are counted, a check fails)",
    )
    max_coiled_runs: int = Field(
        default=1,
        ge=0,
        description="deployment (make serve): runs on Coiled at once; the others wait in the "
        "run queue",
    )
    run_retries: int = Field(
        default=2,
        ge=0,
        description="deployment (make serve): automatic retries of a run that failed for a "
        "cause a retry can fix (the archive, a lost cluster or worker, a dead run process; not "
        "a bad setting)",
    )
    dead_run_seconds: int = Field(
        default=180,
        ge=0,
        description="deployment (make serve): a run whose process is gone ends FAILURE once its "
        "code server has answered for 70 s, or at the latest this many seconds after it was "
        "found gone",
    )

    @field_validator("source_url")
    @classmethod
    def _readable_source(cls, value: str) -> str:
        return validate_source_url(value)

    @field_validator("storage")
    @classmethod
    def _known_storage(cls, value: str) -> str:
        validate_storage_url(value)
        return value

    @field_validator("api_commits_repos")
    @classmethod
    def _repo_patterns(cls, value: str | None) -> str | None:
        return None if value is None else str(FollowedRepos.parse(value))

    @field_validator("github_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        return validate_api_url(value)

    @field_validator("sensor_first_day")
    @classmethod
    def _in_the_archive(cls, value: dt.date | None) -> dt.date | None:
        if value is not None and value < FIRST_DAY:
            raise ValueError(f"the archive starts on {FIRST_DAY}")
        return value

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        """The settings the environment gives; an empty variable counts as unset."""
        values: dict = {}
        for path, _ in variables():
            if raw := env.get(variable("_".join(path))):
                group = values.setdefault(path[0], {}) if len(path) == 2 else values
                group[path[-1]] = raw
        try:
            return cls(**values)
        except ValidationError as exc:
            error = exc.errors()[0]
            path = next(path for path, _ in variables() if error["loc"][: len(path)] == path)
            name = variable("_".join(path))
            value = repr(without_credentials(env[name]))
            ours = error["type"] == "value_error"  # raised by a validator here, or by the core
            message = str(error["ctx"]["error"]) if ours else error["msg"]
            if not message.startswith(value):  # the core's own messages begin with the value
                message = f"{value}: {message}"
            raise SettingsError(f"{name}={message}") from None


def variable(name: str) -> str:
    """The environment variable of a setting: `GH_ASSETS_SOURCE_URL` for `source_url`,
    `GH_ASSETS_COILED_WORKSPACE` for the Coiled option `workspace`."""
    return PREFIX + name.upper()


def setting_field(name: str) -> Any:
    """The field of setting `name` for a model that is configured by it (a Dagster resource):
    the same default, type constraints and description, naming its variable."""
    field = Settings.model_fields[name]
    return FieldInfo.merge_field_infos(field, description=f"{field.description} ({variable(name)})")


def variables() -> Iterator[tuple[tuple[str, ...], FieldInfo]]:
    """Each setting read from the environment: its path in `Settings` and its field."""
    for name, field in Settings.model_fields.items():
        if name == "coiled":
            for option in COILED_VARIABLES:
                yield (name, option), CoiledOptions.model_fields[option]
        else:
            yield (name,), field


@functools.cache
def current_settings() -> Settings:
    """The settings of this process's environment, read once."""
    return Settings.from_env()


def settings_table() -> str:
    """The README's configuration table (`python -m gh_assets.settings` prints it)."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for path, field in variables():
        rows.append(
            f"| `{variable('_'.join(path))}` | {_shown(field.default)} | {field.description} |"
        )
    return "\n".join(rows)


def _shown(default) -> str:
    if default is None:
        return "unset"
    return f"`{str(default).lower() if isinstance(default, bool) else default}`"


if __name__ == "__main__":
    print(settings_table())
