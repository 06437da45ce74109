"""`repo_activity`: each repository's day, counted by DuckDB from the day's `events` file.

Not `dagster-duckdb`: its I/O manager keeps tables in a DuckDB database file, while this project's
tables are Parquet files in its own storage (a folder or S3) that DuckDB only reads here; the asset
opens an in-memory DuckDB connection per day instead of a database resource. Like the other tables,
each day's partition gets its own figures and its own check evaluation.
"""

import dagster as dg

from gh_assets.compute.repo_activity import activity_totals, recount_events, write_repo_activity
from gh_assets.defs.assets.checks import evaluations_by_day, log_and_close
from gh_assets.defs.assets.metadata import metadata, table_spec
from gh_assets.defs.partitions import daily_backfill_policy, daily_partitions, run_days
from gh_assets.defs.resources.storage import StorageResource
from gh_assets.reporting import CheckOutcome, TablePath
from gh_assets.tables.catalogue import EVENTS, REPO_ACTIVITY

RECOUNT_CHECK = dg.AssetCheckSpec(
    "matches_a_recount_of_events",
    asset=REPO_ACTIVITY.name,
    description="Events, pushes, stars and forks summed over the repositories equal the same "
    "totals counted by pyarrow straight from the day's events file.",
)


@dg.multi_asset(
    specs=[table_spec(REPO_ACTIVITY, {"parquet", "duckdb"}, deps=[EVENTS.name])],
    check_specs=[RECOUNT_CHECK],
    partitions_def=daily_partitions,
    backfill_policy=daily_backfill_policy,
)
def repo_activity(context: dg.AssetExecutionContext, storage: StorageResource):
    store = storage.writable_storage()
    days = run_days(context.partition_keys)
    outcomes = {}
    for day in days:
        written = write_repo_activity(store, day)
        recounted, summed = recount_events(store, day), activity_totals(store, day)
        outcomes[day.isoformat()] = CheckOutcome(
            recounted == summed,
            f"repo_activity sums {summed}, the events file {recounted}",
            {f"events_file_{name}": count for name, count in recounted.items()},
        )
        context.add_asset_metadata(
            metadata(
                {
                    "dagster/row_count": written.repos,
                    "bytes_written": written.bytes_written,
                    "path": TablePath(written.path),
                    "run_days": len(days),
                }
            ),
            partition_key=day.isoformat(),
        )
    yield dg.MaterializeResult()
    evaluations = evaluations_by_day(REPO_ACTIVITY.name, RECOUNT_CHECK.name, outcomes)
    yield from log_and_close(context, evaluations, [RECOUNT_CHECK.key])
