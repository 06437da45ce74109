"""`push_events`, `commits` and `events`: the tables read from the day's archive files.

All three come from one reading of each file, so they are one multi-asset; it can be subset, and a
run reads and writes only what it materializes (`push_events` alone never parses other events,
`events` alone writes no push table). The heavy work runs as Dask tasks that write Parquet straight
to storage; this step only sees summaries. Each day's partition gets that day's own figures and
check evaluations, however many days the run covers; what is about the whole run (its totals, its
cluster, its time) says so in its name.
"""

import datetime as dt
import time
import uuid

import dagster as dg

from gh_assets.archive.source import ArchiveError
from gh_assets.compute.run_graph import DaysFailed, build_days
from gh_assets.compute.run_report import RunReport
from gh_assets.defs.assets.checks import CHECK_SPECS, log_check_evaluations
from gh_assets.defs.assets.metadata import metadata, table_spec
from gh_assets.defs.core_logs import core_logs_in_step_log
from gh_assets.defs.partitions import daily_backfill_policy, daily_partitions, run_days
from gh_assets.defs.resources.archive import ArchiveResource
from gh_assets.defs.resources.dask_cluster import DaskResource, RunCluster
from gh_assets.defs.resources.storage import StorageResource
from gh_assets.tables.catalogue import COMMITS, EVENTS, MANIFEST, PUSH_EVENTS
from gh_assets.tables.storage import Storage

KINDS = {"parquet", "dask"}
TABLES = (PUSH_EVENTS, COMMITS, EVENTS)


@dg.multi_asset(
    specs=[
        table_spec(PUSH_EVENTS, KINDS, deps=[MANIFEST.name], skippable=True),
        table_spec(COMMITS, KINDS, deps=[PUSH_EVENTS.name], skippable=True),
        table_spec(EVENTS, KINDS, deps=[MANIFEST.name], skippable=True),
    ],
    check_specs=CHECK_SPECS,
    can_subset=True,
    partitions_def=daily_partitions,
    backfill_policy=daily_backfill_policy,
)
def archive_tables(
    context: dg.AssetExecutionContext,
    archive: ArchiveResource,
    storage: StorageResource,
    dask: DaskResource,
):
    started = time.monotonic()
    selected = {key.to_user_string() for key in context.selected_asset_keys}
    tables = [table for table in TABLES if table.name in selected]
    days = run_days(context.partition_keys)
    archive_client = archive.client()
    store = storage.writable_storage()
    _remove_staging_of_finished_runs(context, store)
    run_token = f"{context.run.run_id}.{uuid.uuid4().hex[:8]}"
    try:
        with (
            dask.cluster(
                run_id=context.run.run_id, partition_count=len(days), storage=store, log=context.log
            ) as cluster,
            core_logs_in_step_log(context.log, cluster.client),  # retries on the workers
        ):
            if cluster.dashboard_url:
                context.log.info(
                    f"Dask dashboard, live while this run works: {cluster.dashboard_url}"
                )
            results = build_days(
                cluster.client, archive_client, store, days, run_token, [t.name for t in tables]
            )
    except DaysFailed as failed:  # "try again later" only when the archive is all that failed
        if failed.causes and all(isinstance(cause, ArchiveError) for cause in failed.causes):
            raise archive.failure(failed) from None
        raise
    report = RunReport(tuple(results), _present_files(store, days))
    cluster_metadata = _cluster_metadata(cluster, round(time.monotonic() - started, 2))
    for table in tables:
        run_figures = {**metadata(report.run_figures(table)), **cluster_metadata}
        for day in report.day_reports:  # the day's own figures first, then the run's
            context.add_asset_metadata(
                {**metadata(day.figures(table)), **run_figures},
                asset_key=table.name,
                partition_key=day.partition_key,
            )
        yield dg.MaterializeResult(asset_key=table.name)
    yield from log_check_evaluations(context, report)


def _remove_staging_of_finished_runs(context: dg.AssetExecutionContext, store: Storage) -> None:
    """Remove the staged parts of finished runs of this instance, which were killed outright.

    A normal or failed run removes its own; those of unknown or unfinished runs are left alone.
    """
    for token in store.staging_tokens():
        run = context.instance.get_run_by_id(token.split(".")[0])
        if run is not None and run.is_finished:
            context.log.info(f"removing staged parts left by run {run.run_id} ({run.status.value})")
            store.remove_tree(store.staging_root(token))


def _present_files(store: Storage, days: list[dt.date]) -> dict[str, frozenset[str]]:
    """The files each day's manifest lists as present (days without a manifest are left out)."""
    present = {}
    for day in days:
        path = store.day_file(MANIFEST.name, day)
        if store.fs.exists(path):
            manifest = store.read_table(path, ["filename", "exists"]).to_pylist()
            present[day.isoformat()] = frozenset(
                row["filename"] for row in manifest if row["exists"]
            )
    return present


def _cluster_metadata(cluster: RunCluster, seconds: float) -> dict:
    return {**metadata(cluster.figures()), "run_seconds": seconds}
