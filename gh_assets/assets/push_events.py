"""`push_events` and `commits`: every PushEvent of the day, and one row per commit it lists.

Both tables come from one reading of the day's files, so they are one multi-asset. The heavy work
runs as Dask tasks that write Parquet straight to storage; this step only sees summaries.
"""

import datetime as dt
import time
import uuid
from collections import Counter

import dagster as dg

from gh_assets.assets.checks import CHECK_SPECS, check_results
from gh_assets.assets.manifest import MANIFEST
from gh_assets.assets.metadata import column_schema, total
from gh_assets.day_commit import COMMITS, PUSH_EVENTS
from gh_assets.day_pipeline import DayResult, build_days
from gh_assets.hour_transform import HourSummary
from gh_assets.partitions import daily_backfill_policy, daily_partitions, run_days
from gh_assets.resources.archive import ArchiveResource
from gh_assets.resources.dask_cluster import DaskResource, RunCluster
from gh_assets.resources.storage import StorageResource
from gh_assets.storage import Storage
from gh_assets.tables import COMMIT_COLUMNS, PUSH_EVENT_COLUMNS

DAY_NOTE = (
    " A day's partition holds the files named for that day; `created_at` may fall outside it "
    "(2012-2014 files are named in US Pacific time, and since 2025-05-24 a file can hold late "
    "events)."
)

TABLE_SPEC = {
    "kinds": {"parquet", "dask"},
    "owners": ["team:data-engineering"],
    "group_name": "gharchive",
}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            PUSH_EVENTS,
            deps=[MANIFEST],
            description="Every PushEvent of the day's archive files, one row per push, all three "
            "formats of the archive read into one schema. Pushes since 2025-10-07 have no commit "
            "list: they are kept, with null size and commit_count." + DAY_NOTE,
            metadata={"dagster/column_schema": column_schema(PUSH_EVENT_COLUMNS)},
            **TABLE_SPEC,
        ),
        dg.AssetSpec(
            COMMITS,
            deps=[PUSH_EVENTS],
            description="One row per commit listed in the day's pushes (at most 20 per push; "
            "`size` on the push is the true count). A commit is identified by "
            "(event_id, commit_index): the same sha can be in several pushes." + DAY_NOTE,
            metadata={"dagster/column_schema": column_schema(COMMIT_COLUMNS)},
            **TABLE_SPEC,
        ),
    ],
    check_specs=CHECK_SPECS,
    partitions_def=daily_partitions,
    backfill_policy=daily_backfill_policy,
)
def push_events_and_commits(
    context: dg.AssetExecutionContext,
    archive: ArchiveResource,
    storage: StorageResource,
    dask: DaskResource,
):
    started = time.monotonic()
    days = run_days(context.partition_keys)
    archive_client = archive.client()
    store = storage.storage()
    store.check_writable()
    _remove_staging_of_finished_runs(context, store)
    run_token = f"{context.run.run_id}.{uuid.uuid4().hex[:8]}"
    with dask.cluster(
        run_id=context.run.run_id, partition_count=len(days), storage=store, log=context.log
    ) as cluster:
        results = build_days(cluster.client, archive_client, store, days, run_token)
    seconds = round(time.monotonic() - started, 2)
    cluster_metadata = _cluster_metadata(cluster, seconds)
    yield dg.MaterializeResult(
        asset_key=PUSH_EVENTS,
        metadata={**_push_metadata(results), **cluster_metadata},
    )
    yield dg.MaterializeResult(
        asset_key=COMMITS,
        metadata={**_commit_metadata(results), **cluster_metadata},
    )
    yield from check_results(results, _manifest_files(store, days))


def _remove_staging_of_finished_runs(context: dg.AssetExecutionContext, store: Storage) -> None:
    """Remove the staged parts of finished runs of this instance, which were killed outright.

    A normal or failed run removes its own; those of unknown or unfinished runs are left alone.
    """
    for token in store.staging_tokens():
        run = context.instance.get_run_by_id(token.split(".")[0])
        if run is not None and run.is_finished:
            context.log.info(f"removing staged parts left by run {run.run_id} ({run.status.value})")
            store.remove_tree(store.staging_root(token))


def _manifest_files(store: Storage, days: list[dt.date]) -> dict[str, set[str]]:
    """The files each day's manifest lists as present (days without a manifest are left out)."""
    present = {}
    for day in days:
        path = store.day_file(MANIFEST, day)
        if store.fs.exists(path):
            manifest = store.read_table(path, ["filename", "exists"]).to_pylist()
            present[day.isoformat()] = {row["filename"] for row in manifest if row["exists"]}
    return present


def _push_metadata(results: list[DayResult]) -> dict:
    days = [result.summary for result in results]
    hours = [hour for result in results for hour in result.hours]
    found = [hour for hour in hours if hour.found]
    read = [hour for hour in found if hour.read]
    damaged = [hour.source_file for hour in found if hour.damaged]
    return {
        **_row_count(days, "push_events"),
        "bytes_written": total(days, "push_events_bytes"),
        "files_read": len(read),
        "hours_missing": len(hours) - len(found),
        "unreadable_files": len(found) - len(read),
        "bytes_downloaded": total(found, "compressed_bytes"),
        "lines_read": total(found, "lines"),
        "events": sum(hour.events for hour in found),
        "push_events": total(days, "push_events"),
        "commits": total(days, "commits"),
        "pushes_without_commit_list": total(days, "pushes_without_commit_list"),
        "duplicates_dropped": total(found, "duplicates_dropped")
        + total(days, "duplicates_across_files"),
        "damaged_lines": total(found, "damaged_lines"),
        "objects_recovered": total(found, "objects_recovered"),
        "fragments_skipped": total(found, "fragments_skipped"),
        "nul_runs": total(found, "nul_runs"),
        "damaged_hours": len(damaged),
        "unparsed_created_at": total(days, "unparsed_created_at"),
        "read_retries": total(found, "read_retries"),
        "worker_processes": dg.MetadataValue.md(
            "\n".join(f"- `{worker}`: {files} files" for worker, files in _workers(found).items())
        ),
        "damaged_files": dg.MetadataValue.md(
            "\n".join(f"- `{name}`" for name in damaged[:200]) or "none"
        ),
        "paths": _paths_table(results, "push_events_path", "push_events"),
        "top_repos": _top_repos(results[-1]),
    }


def _row_count(days: list, field: str) -> dict:
    """The partition's row count, for a one-day run; a range run's figures are run totals.

    Dagster records one materialization's metadata on every partition of a range run, so a
    per-partition row count would be wrong there; `days_in_run` says which kind a figure is.
    """
    if len(days) == 1:
        return {"dagster/row_count": total(days, field), "days_in_run": 1}
    return {"days_in_run": len(days)}


def _top_repos(result: DayResult) -> dg.MetadataValue:
    """The day's most pushed-to repositories (the last day of the run), as a Markdown table."""
    lines = [f"Top repositories by pushes on {result.summary.day}", "", "| repo | pushes |"]
    lines.append("|---|---:|")
    lines += [f"| {repo} | {pushes} |" for repo, pushes in result.summary.top_repos]
    return dg.MetadataValue.md("\n".join(lines))


def _workers(hours: list[HourSummary]) -> dict[str, int]:
    """Files read per worker process (`host:pid`)."""
    return dict(Counter(hour.worker for hour in hours))


def _commit_metadata(results: list[DayResult]) -> dict:
    days = [result.summary for result in results]
    return {
        **_row_count(days, "commits"),
        "bytes_written": total(days, "commits_bytes"),
        "paths": _paths_table(results, "commits_path", "commits"),
    }


def _paths_table(results: list[DayResult], path_field: str, rows_field: str) -> dg.MetadataValue:
    lines = ["| day | rows | path |", "|---|---:|---|"] + [
        f"| {result.summary.day} | {getattr(result.summary, rows_field)} "
        f"| `{getattr(result.summary, path_field)}` |"
        for result in results[:62]
    ]
    return dg.MetadataValue.md("\n".join(lines))


def _cluster_metadata(cluster: RunCluster, seconds: float) -> dict:
    metadata = {
        "dask_mode": cluster.mode,
        "dask_mode_reason": cluster.reason,
        "dask_workers": cluster.workers,
        "seconds": seconds,
    }
    if cluster.name:
        metadata["dask_cluster_name"] = cluster.name
    if cluster.dashboard_url:
        metadata["dask_dashboard"] = dg.MetadataValue.url(cluster.dashboard_url)
    return metadata
