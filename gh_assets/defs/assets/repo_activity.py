"""`repo_activity`: each repository's day, counted by DuckDB from the day's `events` file.

Not `dagster-duckdb`: its I/O manager keeps tables in a DuckDB database file, while this project's
tables are Parquet files in its own storage (a folder or S3) that DuckDB only reads here; the asset
opens an in-memory DuckDB connection per day instead of a database resource. Like the other tables,
each day is recorded as soon as it is written, with its own figures, its check evaluation and as
data version the version of the `events` day it was counted from; a day whose `events` day and
code are those it was built from, its file in storage, is recorded again without being counted.
"""

import dagster as dg

from gh_assets.compute.day_versions import built_version, plan_days
from gh_assets.compute.repo_activity import activity_totals, recount_events, write_repo_activity
from gh_assets.compute.run_graph import DaysFailed
from gh_assets.defs.assets.checks import CheckVerdicts
from gh_assets.defs.assets.metadata import metadata, table_spec
from gh_assets.defs.day_failures import failure_text, log_day_failure
from gh_assets.defs.day_records import (
    DayVersion,
    code_version,
    record_day,
    recorded_days,
    recorded_outputs,
)
from gh_assets.defs.partitions import daily_backfill_policy, daily_partitions, run_days
from gh_assets.defs.resources.rebuild import RebuildResource
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
def repo_activity(
    context: dg.AssetExecutionContext, storage: StorageResource, rebuild: RebuildResource
):
    days = run_days(context)
    store = storage.writable_storage()
    version = code_version(context, REPO_ACTIVITY.name)
    events = recorded_days(context.instance, EVENTS.name, days)
    recorded = recorded_days(context.instance, REPO_ACTIVITY.name, days)
    versions = {}  # each day's version: of the events day it is counted from, if recorded
    for day in days:
        source = events.get(day)
        if source and source.data_version:
            inputs = {EVENTS.name: (source.data_version, source.storage_id)}
            versions[day] = DayVersion(version, built_version(version, source.data_version), inputs)
        else:  # unknown input: a version no later run finds equal
            versions[day] = DayVersion(version, built_version(version, context.run.run_id))
    plan = plan_days(
        days,
        [REPO_ACTIVITY.name],
        {(REPO_ACTIVITY.name, day): v.data_version for day, v in versions.items() if v.inputs},
        {(REPO_ACTIVITY.name, day): record.data_version for day, record in recorded.items()},
        {(REPO_ACTIVITY.name, day) for day in store.stored_days(REPO_ACTIVITY.name)},
        rebuild.force,
    )
    verdicts, failures = CheckVerdicts(context), {}
    recount = (RECOUNT_CHECK.name, "error")
    for day in plan.up_to_date:
        previous = recorded[day].metadata
        record_day(
            context,
            REPO_ACTIVITY.name,
            day,
            {**previous, "rebuilt": False, "run_days": len(days)},
            versions[day],
        )
    verdicts.carry_over(REPO_ACTIVITY.name, [recount], [day.isoformat() for day in plan.up_to_date])
    for day in plan.build:
        try:
            written = write_repo_activity(store, day, whole=rebuild.force)
            recounted, summed = recount_events(store, day), activity_totals(store, day)
        except Exception as error:  # the day's events file unreadable or missing: the next day
            failures[day] = failure_text(error)
            log_day_failure(context, day, failures[day])
            continue
        figures = {
            "dagster/row_count": written.repos,
            "bytes_written": written.bytes_written,
            "events_counted": written.events_counted,
            "path": TablePath(written.path),
            "run_days": len(days),
        }
        record_day(
            context, REPO_ACTIVITY.name, day, {**metadata(figures), "rebuilt": True}, versions[day]
        )
        outcome = CheckOutcome(
            recounted == summed,
            f"repo_activity sums {summed}, the events file {recounted}",
            {f"events_file_{name}": count for name, count in recounted.items()},
        )
        verdicts.record(REPO_ACTIVITY.name, *recount, day.isoformat(), outcome)
    if failures:
        for evaluation in verdicts.run_evaluations():
            context.log_event(evaluation)
        raise DaysFailed(failures, len(days))
    yield from recorded_outputs(context)
    yield from verdicts.close([RECOUNT_CHECK.key])
