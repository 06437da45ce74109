"""`gharchive_manifest`: the day's 24 hourly files and which of them the archive has."""

import dagster as dg

from gh_assets.defs.assets.metadata import table_spec
from gh_assets.defs.partitions import daily_backfill_policy, daily_partitions, run_days
from gh_assets.defs.resources.archive import ArchiveResource
from gh_assets.defs.resources.storage import StorageResource
from gh_assets.tables.catalogue import MANIFEST, manifest_table


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
    present = missing = available_bytes = written_bytes = 0
    missing_files: list[str] = []
    for day in days:
        files = client.probe_day(day)
        written_bytes += store.write_table(
            store.day_file(MANIFEST.name, day), manifest_table(files)
        )
        present += sum(file.exists for file in files)
        available_bytes += sum(file.size or 0 for file in files)
        missing_files += [file.filename for file in files if not file.exists]
        missing += sum(not file.exists for file in files)
    context.log.info(f"{present} hourly files present, {missing} missing")
    return dg.MaterializeResult(
        metadata={
            "days": len(days),
            "files_present": present,
            "hours_missing": missing,
            "bytes_available": available_bytes,
            "bytes_written": written_bytes,
            "missing_files": dg.MetadataValue.md(
                "\n".join(f"- `{name}`" for name in missing_files[:200]) or "none"
            ),
        }
    )
