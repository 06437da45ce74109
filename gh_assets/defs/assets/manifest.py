"""`gharchive_manifest`: the day's 24 hourly files and which of them the archive has.

Each day's partition gets its own figures (files present, hours missing), whatever the run covers.
"""

import dagster as dg

from gh_assets.archive.manifest import manifest_table
from gh_assets.archive.source import ArchiveError
from gh_assets.compute.run_report import manifest_figures
from gh_assets.defs.assets.metadata import metadata, table_spec
from gh_assets.defs.core_logs import core_logs_in_step_log
from gh_assets.defs.partitions import daily_backfill_policy, daily_partitions, run_days
from gh_assets.defs.resources.archive import ArchiveResource
from gh_assets.defs.resources.storage import StorageResource
from gh_assets.tables.catalogue import MANIFEST


@dg.multi_asset(
    specs=[table_spec(MANIFEST, kinds={"parquet"})],
    partitions_def=daily_partitions,
    backfill_policy=daily_backfill_policy,
)
def gharchive_manifest(
    context: dg.AssetExecutionContext, archive: ArchiveResource, storage: StorageResource
) -> dg.MaterializeResult:
    days = run_days(context.partition_keys)
    client = archive.client()
    store = storage.writable_storage()
    present = missing = 0
    try:
        with core_logs_in_step_log(context.log):  # the probes' retries, as they happen
            for day in days:
                files = client.probe_day(day)
                written = store.write_table(
                    store.day_file(MANIFEST.name, day), manifest_table(files)
                )
                figures = manifest_figures(files, written)
                context.add_asset_metadata(
                    metadata({**figures, "run_days": len(days)}),
                    asset_key=MANIFEST.name,
                    partition_key=day.isoformat(),
                )
                present += figures["files_present"]
                missing += figures["hours_missing"]
    except ArchiveError as error:
        raise archive.failure(error) from None
    context.log.info(f"{present} hourly files present, {missing} missing, over {len(days)} days")
    return dg.MaterializeResult()
