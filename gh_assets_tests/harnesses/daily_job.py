"""The project's daily job as a reconstructable job (Dagster's re-execution needs one), over the
archive of GH_ASSETS_SOURCE_URL with the tests' fast retries and the cluster of
GH_ASSETS_DASK_ADDRESS."""

import os

import dagster as dg

from gh_assets.defs.definitions import definitions_for
from gh_assets.defs.jobs import daily_job
from gh_assets.defs.resources import ArchiveResource, DaskResource
from gh_assets.settings import Settings


def daily_job_for_tests() -> dg.JobDefinition:
    settings = Settings.from_env()
    project = definitions_for(settings)
    resources = {
        **project.resources,
        "archive": ArchiveResource(
            base_url=settings.source_url, timeout_seconds=2, max_attempts=2, backoff_seconds=0.01
        ),
        "dask": DaskResource(mode="address", address=os.environ["GH_ASSETS_DASK_ADDRESS"]),
    }
    return dg.Definitions(
        assets=project.assets, jobs=[daily_job], resources=resources, executor=project.executor
    ).resolve_job_def(daily_job.name)
