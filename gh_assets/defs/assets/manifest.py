"""`gharchive_manifest`: the day's 24 hourly files and which of them the archive has.

Every run probes its days again: that is how a later upload of an hour is seen. Each day is
recorded as soon as its manifest is written, with its own figures and, as its data version, the
version of its hour files (`compute/day_versions.py`), which the tables' days are built from. A
day that cannot be probed does not stop the others (see `defs/day_failures.py`). A day the archive
is not done with (today, or a day whose last hours are late) records the hours that may still
appear (`hours_pending`) and `complete: false`. When the run goes on to the tables, the cluster's
settings are checked first, every problem at once.
"""

import datetime as dt
import functools
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import dagster as dg

from gh_assets.archive.completeness import day_is_done, pending_hours
from gh_assets.archive.manifest import manifest_table
from gh_assets.archive.source import ArchiveError, ArchiveSource, HourFile
from gh_assets.compute.day_versions import manifest_version
from gh_assets.compute.run_graph import DaysFailed
from gh_assets.compute.run_report import manifest_figures
from gh_assets.defs.assets.metadata import metadata, table_spec
from gh_assets.defs.core_logs import core_logs_in_step_log
from gh_assets.defs.day_failures import failure_text, feeds_later_steps, log_day_failure
from gh_assets.defs.day_records import DayVersion, code_version, record_day, recorded_outputs
from gh_assets.defs.partitions import daily_backfill_policy, daily_partitions, run_days
from gh_assets.defs.resources.archive import ArchiveResource
from gh_assets.defs.resources.dask_cluster import DaskResource, check_cluster_settings
from gh_assets.defs.resources.storage import StorageResource
from gh_assets.tables.catalogue import MANIFEST

DAYS_PROBED_AT_ONCE = 4  # each day's 24 files are probed 8 at a time: 32 requests in flight


@dg.multi_asset(
    specs=[table_spec(MANIFEST, kinds={"parquet"})],
    partitions_def=daily_partitions,
    backfill_policy=daily_backfill_policy,
)
def gharchive_manifest(
    context: dg.AssetExecutionContext,
    archive: ArchiveResource,
    storage: StorageResource,
    dask: DaskResource,
):
    days = run_days(context)
    client = archive.client()
    store = storage.writable_storage()
    if feeds_later_steps(context):  # the run will need a cluster: its settings, before any work
        check_cluster_settings(context, dask, len(days), store)
    version = code_version(context, MANIFEST.name)
    present = missing = 0
    failures: dict = {}
    later_hour_exists = functools.cache(lambda filename: client.probe(filename).exists)
    with core_logs_in_step_log(context.log):  # the probes' retries, as they happen
        for day, files in _probed_days(client, days):
            if isinstance(files, ArchiveError):
                failures[day] = failure_text(files)
                log_day_failure(context, day, failures[day])
                continue
            table = manifest_table(files)
            written = store.write_table(store.day_file(MANIFEST.name, day), table)
            exists = [file.exists for file in files]
            done = day_is_done(day, exists, dt.datetime.now(dt.UTC), later_hour_exists)
            pending = pending_hours(exists, done)
            figures = manifest_figures(files, written, pending)
            record_day(
                context,
                MANIFEST.name,
                day,
                metadata({**figures, "run_days": len(days)}),
                DayVersion(version, manifest_version(table, pending)),
            )
            present += figures["files_present"]
            missing += figures["hours_missing"]
    probed = _days(len(days) - len(failures))
    context.log.info(
        f"{present} hourly files present, {missing} missing, over {probed}"
        + (f"; {_days(len(failures))} could not be probed" if failures else "")
    )
    if failures and not feeds_later_steps(context):
        raise archive.failure(DaysFailed(failures, len(days))) from None
    yield from recorded_outputs(context)


def _probed_days(client: ArchiveSource, days: list[dt.date]) -> Iterator[tuple]:
    """Each day with its probed files (or the error that stopped its probes), in day order,
    `DAYS_PROBED_AT_ONCE` days at a time: against the archive's latency, a range's manifest
    takes a fraction of the time of one day after another."""

    def probe(day: dt.date) -> list[HourFile] | ArchiveError:
        try:
            return client.probe_day(day)
        except ArchiveError as error:
            return error

    with ThreadPoolExecutor(DAYS_PROBED_AT_ONCE) as pool:
        yield from zip(days, pool.map(probe, days), strict=True)


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"
