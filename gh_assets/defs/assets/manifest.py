"""`gharchive_manifest`: the day's 24 hourly files and which of them the archive has.

Every run probes its days again: that is how a later upload of an hour is seen. Each day is
recorded as soon as its manifest is written, with its own figures and, as its data version, the
version of its hour files (`compute/day_versions.py`), which the tables' days are built from. A
day that cannot be probed does not stop the others (see `defs/day_failures.py`). When the run
goes on to the tables, the cluster's settings are checked first, every problem at once.
"""

import dagster as dg

from gh_assets.archive.manifest import manifest_table
from gh_assets.archive.source import ArchiveError
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
        check_cluster_settings(dask, len(days), store)
    version = code_version(context, MANIFEST.name)
    present = missing = 0
    failures: dict = {}
    with core_logs_in_step_log(context.log):  # the probes' retries, as they happen
        for day in days:
            try:
                files = client.probe_day(day)
            except ArchiveError as error:
                failures[day] = failure_text(error)
                log_day_failure(context, day, failures[day])
                continue
            table = manifest_table(files)
            written = store.write_table(store.day_file(MANIFEST.name, day), table)
            figures = manifest_figures(files, written)
            record_day(
                context,
                MANIFEST.name,
                day,
                metadata({**figures, "run_days": len(days)}),
                DayVersion(version, manifest_version(table)),
            )
            present += figures["files_present"]
            missing += figures["hours_missing"]
    context.log.info(
        f"{present} hourly files present, {missing} missing, over {len(days) - len(failures)} "
        f"days" + (f"; {len(failures)} days could not be probed" if failures else "")
    )
    if failures and not feeds_later_steps(context):
        raise archive.failure(DaysFailed(failures, len(days))) from None
    yield from recorded_outputs(context)
