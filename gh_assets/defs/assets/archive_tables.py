"""`push_events`, `commits` and `events`: the tables read from the day's archive files.

All three come from one reading of each file, so they are one multi-asset; it can be subset, and a
run reads and writes only what it materializes (`push_events` alone never parses other events,
`events` alone writes no push table). The heavy work runs as Dask tasks that write Parquet straight
to storage; this step only sees summaries.

A run builds only the days that are not up to date (`compute/day_versions.py`): a day whose hour
files, code version and file in storage are those it was built with is recorded again, with the
figures of its build and the same data version, without any download. Each day built is recorded
as soon as its files are in place, with its own figures and check evaluations
(`defs/day_records.py`); a day that fails does not stop the others, and the step fails at its end
naming each failed day. What is about the whole run (its totals, its cluster, its time) is an
observation of each table at the run's end.
"""

import datetime as dt
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import dagster as dg

from gh_assets.archive.completeness import pending_hours
from gh_assets.archive.names import day_filenames, filename_hour
from gh_assets.archive.source import ArchiveError
from gh_assets.compute.day_append import EarlierHours, hours_to_append
from gh_assets.compute.day_versions import (
    built_version,
    hour_identities,
    manifest_version,
    plan_days,
)
from gh_assets.compute.run_graph import DayResult, DaysFailed, build_days, staged_tables
from gh_assets.compute.run_report import DayReport, RunReport
from gh_assets.defs.assets.checks import CHECK_SPECS, CheckVerdicts, check_specs, selected_checks
from gh_assets.defs.assets.metadata import metadata, table_spec
from gh_assets.defs.core_logs import core_logs_in_step_log
from gh_assets.defs.day_failures import days_failed_upstream
from gh_assets.defs.day_records import (
    DayVersion,
    RecordedDay,
    code_version,
    record_day,
    recorded_days,
    recorded_outputs,
)
from gh_assets.defs.partitions import daily_backfill_policy, daily_partitions, run_days
from gh_assets.defs.resources.archive import ArchiveResource
from gh_assets.defs.resources.dask_cluster import DaskResource, check_cluster_settings
from gh_assets.defs.resources.rebuild import RebuildResource
from gh_assets.defs.resources.storage import StorageResource
from gh_assets.tables.catalogue import (
    ARCHIVE_TABLES,
    BY_NAME,
    COMMITS,
    EVENTS,
    MANIFEST,
    PUSH_EVENTS,
)
from gh_assets.tables.storage import Storage

KINDS = {"parquet", "dask"}
# The asset each table's day is built from (its data version goes into the table's)
BUILT_FROM = {
    PUSH_EVENTS.name: MANIFEST.name,
    COMMITS.name: PUSH_EVENTS.name,
    EVENTS.name: MANIFEST.name,
}


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
    rebuild: RebuildResource,
):
    started = time.monotonic()
    selected = {key.to_user_string() for key in context.selected_asset_keys}
    tables = [table.name for table in ARCHIVE_TABLES if table.name in selected]
    days = run_days(context)
    store = storage.writable_storage()
    _remove_staging_of_finished_runs(context, store)
    upstream_failures = days_failed_upstream(context, MANIFEST.name, days)
    inputs = DayInputs.read(
        context, store, [day for day in days if day not in upstream_failures], tables
    )
    plan = plan_days(
        inputs.days, tables, inputs.expected, inputs.recorded, inputs.stored, rebuild.force
    )
    checks = selected_checks(context)
    verdicts = CheckVerdicts(context)
    for table in tables:  # each after the table it is built from
        fresh = [day for day, fresh in plan.up_to_date.items() if table in fresh]
        sources = inputs.source_records(context, table, fresh)
        for day in fresh:
            inputs.record_up_to_date(context, table, day, len(days), sources.get(day))
        of_table = [(check.name, check.severity) for check in checks if check.table.name == table]
        verdicts.carry_over(table, of_table, [day.isoformat() for day in fresh])
    if plan.up_to_date:
        context.log.info(
            f"{len(plan.up_to_date)} of {len(days)} days up to date"
            + ("" if plan.build else ": nothing to download")
        )
    growing = {
        day: grown for day, built in plan.build.items() if (grown := inputs.growth(day, built))
    }
    reports = RunReport((), inputs.present_files, inputs.pending_files)
    results: list[DayResult] = []
    failures: dict[dt.date, str] = {}
    causes: tuple[BaseException, ...] = ()
    cluster = None

    def published(result: DayResult) -> None:
        """Record a day as soon as its files are in place: each table, then its checks."""
        day = reports.day_report(result)
        built = plan.build[day.day]
        figures = {
            "run_days": len(days),
            "published_after_seconds": round(time.monotonic() - started, 2),
            **metadata(cluster.figures()),
        }
        for table in built:
            figures_of_table = {**metadata(day.figures(BY_NAME[table])), **figures}
            inputs.record_built(context, table, day, figures_of_table, built)
        verdicts.judge(day, [check for check in checks if check.table.name in built])
        results.append(result)

    if plan.build:
        check_cluster_settings(context, dask, len(plan.build), store)
        run_token = f"{context.run.run_id}.{uuid.uuid4().hex[:8]}"
        hours = (  # the files to read of each day
            {day: day_filenames(day) for day in plan.build}
            | inputs.present_hours(plan.build)
            | {day: new for day, (_, new) in growing.items()}
        )
        try:
            with (
                dask.cluster(
                    run_id=context.run.run_id,
                    partition_count=len(plan.build),
                    storage=store,
                    log=context.log,
                    file_count=sum(len(names) for names in hours.values()),
                ) as cluster,
                # from the workers, unless they are threads of this process
                core_logs_in_step_log(
                    context.log, None if cluster.in_process else cluster.client, run_token
                ),
            ):
                if cluster.dashboard_url:
                    context.log.info(
                        f"Dask dashboard, live while this run works: {cluster.dashboard_url}"
                    )
                build_days(
                    cluster.client,
                    archive.client(),
                    store,
                    plan.build,
                    run_token,
                    published,
                    hours=hours,
                    earlier={day: earlier for day, (earlier, _) in growing.items()},
                )
        except DaysFailed as failed:
            failures, causes = failed.failures, failed.causes
    report = RunReport(tuple(sorted(results, key=_day)), inputs.present_files, inputs.pending_files)
    run_figures = {
        "run_days": len(days),
        "days_built": len(results),
        "days_up_to_date": len(plan.up_to_date),
        "days_failed": len(failures) + len(upstream_failures),
        **(metadata(cluster.figures()) if cluster else {}),
        "run_seconds": round(time.monotonic() - started, 2),
    }
    for table in tables:
        totals = {"run_totals": report.run_totals(BY_NAME[table])} if len(results) > 1 else {}
        context.log_event(dg.AssetObservation(table, metadata={**metadata(totals), **run_figures}))
    if failures or upstream_failures:
        for evaluation in verdicts.run_evaluations():
            context.log_event(evaluation)
        error = DaysFailed(failures | upstream_failures, len(days), causes)
        # "try again later" only when the archive is all that failed (a manifest fails a day
        # only for the archive)
        if len(causes) == len(failures) and all(isinstance(c, ArchiveError) for c in causes):
            raise archive.failure(error) from None
        raise error
    yield from recorded_outputs(context)
    yield from verdicts.close([spec.key for spec in check_specs(checks)])


@dataclass
class DayInputs:
    """What the run's days of the tables are built from, and what was recorded of them before:
    the manifest of each day (its present files and version), the version each table's day has
    now and had when it was last recorded, and which day files are in storage."""

    days: list[dt.date]
    present_files: dict[str, frozenset[str]]  # by ISO day, as the run report reads them
    pending_files: dict[str, frozenset[str]]  # the same: hours that may still appear
    manifests: dict[dt.date, tuple[str, list[dict]]]  # version, hour identities
    manifest_records: dict[dt.date, RecordedDay]
    expected: dict[tuple[str, dt.date], str | None]
    recorded: dict[tuple[str, dt.date], str | None]
    records: dict[tuple[str, dt.date], RecordedDay]
    stored: set[tuple[str, dt.date]]
    code_versions: dict[str, str]
    store: Storage

    @classmethod
    def read(
        cls,
        context: dg.AssetExecutionContext,
        store: Storage,
        days: list[dt.date],
        tables: list[str],
    ) -> "DayInputs":
        present_files, pending_files, manifests = {}, {}, {}
        manifest_records = recorded_days(context.instance, MANIFEST.name, days)
        for day in days:
            path = store.day_file(MANIFEST.name, day)
            if store.fs.exists(path):
                manifest = store.read_table(path)
                identities = hour_identities(manifest)
                exists = [hour["exists"] for hour in identities]
                record = manifest_records.get(day)
                complete = record.metadata.get("complete") if record else None
                pending = pending_hours(exists, complete is None or complete.value)
                present_files[day.isoformat()] = frozenset(
                    hour["filename"] for hour in identities if hour["exists"]
                )
                pending_files[day.isoformat()] = frozenset(
                    identities[hour]["filename"] for hour in pending
                )
                manifests[day] = (manifest_version(manifest, pending), identities)
        code_versions = {table.name: code_version(context, table.name) for table in ARCHIVE_TABLES}
        expected = {}
        for day in days:
            manifest = manifests[day][0] if day in manifests else None
            versions = {MANIFEST.name: manifest}
            for table in ARCHIVE_TABLES:  # each after the table it is built from
                source = versions[BUILT_FROM[table.name]]
                versions[table.name] = source and built_version(code_versions[table.name], source)
                expected[table.name, day] = versions[table.name]
        records = {
            (table, day): record
            for table in tables
            for day, record in recorded_days(context.instance, table, days).items()
        }
        return cls(
            days=days,
            present_files=present_files,
            pending_files=pending_files,
            manifests=manifests,
            manifest_records=manifest_records,
            expected=expected,
            recorded={key: record.data_version for key, record in records.items()},
            records=records,
            stored={
                (table, day) for table in staged_tables(tables) for day in store.stored_days(table)
            },
            code_versions=code_versions,
            store=store,
        )

    def present_hours(self, days: Iterable[dt.date]) -> dict[dt.date, list[str]]:
        """The files to read of each of `days` that is not complete: those present (an hour that
        appears meanwhile is left to the next run, which sees it in the manifest)."""
        return {
            day: sorted(self.present_files[key], key=filename_hour)
            for day in days
            if self.pending_files.get(key := day.isoformat())
        }

    def growth(self, day: dt.date, tables: Sequence[str]) -> tuple[EarlierHours, list[str]] | None:
        """For a day last built while not complete, by this code, from hours still described
        the same, its stored files holding the rows recorded: what those builds read, and the
        files to read now. None when the day is built whole."""
        built_from = []
        for table in tables:
            record = self.records.get((table, day))
            built = record and record.metadata.get("built_from")
            built = built and built.value
            if (
                not built
                or built.get("earlier_hours") is None
                or built["code_version"] != self.code_versions[table]
                or not self._stored_rows_are_recorded(table, day, record)
            ):
                return None
            built_from.append(built)
        if not built_from or any(
            (b["hour_files"], b["earlier_hours"])
            != (built_from[0]["hour_files"], built_from[0]["earlier_hours"])
            for b in built_from
        ):
            return None
        if day not in self.manifests or not all(
            (table, day) in self.stored for table in staged_tables(tables)
        ):
            return None
        new = hours_to_append(built_from[0]["hour_files"], self.manifests[day][1])
        if new is None:
            return None
        return EarlierHours.from_json(built_from[0]["earlier_hours"]), new

    def _stored_rows_are_recorded(self, table: str, day: dt.date, record: RecordedDay) -> bool:
        """Whether the table's day file in storage has the rows its record says (a run killed
        between writing a day and recording it leaves a file with more)."""
        rows = record.metadata.get("dagster/row_count")
        path = self.store.day_file(table, day)
        return (
            rows is not None
            and self.store.fs.exists(path)
            and self.store.row_count(path) == rows.value
        )

    def source_records(
        self, context: dg.AssetExecutionContext, table: str, days: list[dt.date]
    ) -> dict[dt.date, RecordedDay]:
        """The latest record of the day each of `days` of `table` is built from."""
        source = BUILT_FROM[table]
        if source == MANIFEST.name:
            return self.manifest_records
        return recorded_days(context.instance, source, days) if days else {}

    def version(
        self,
        context: dg.AssetExecutionContext,
        table: str,
        day: dt.date,
        source: RecordedDay | None,
    ) -> DayVersion:
        """The data-version tags of a table's day, built from the day's `source` record: an
        unknown input (no manifest) gives a version of its own, which no later run finds
        equal."""
        source_asset = BUILT_FROM[table]
        source_version = (
            (self.manifests[day][0] if day in self.manifests else None)
            if source_asset == MANIFEST.name
            else self.expected[source_asset, day]
        )
        version = self.expected[table, day] or built_version(
            self.code_versions[table], context.run.run_id
        )
        inputs = (
            {source_asset: (source_version, source.storage_id if source else None)}
            if source_version
            else {}
        )
        return DayVersion(self.code_versions[table], version, inputs)

    def record_built(
        self,
        context: dg.AssetExecutionContext,
        table: str,
        day: DayReport,
        figures: dict,
        tables_written: tuple[str, ...],
    ) -> None:
        """Record a day just built, with what it was built from."""
        built_from = {
            "code_version": self.code_versions[table],
            "tables_written": list(tables_written),
            "hour_files": self.manifests[day.day][1] if day.day in self.manifests else None,
            "earlier_hours": None if day.complete else earlier_hours(day).to_json(),
        }
        record_day(
            context,
            table,
            day.day,
            {**figures, "rebuilt": True, "built_from": dg.MetadataValue.json(built_from)},
            self.version(
                context, table, day.day, self.source_records(context, table, [day.day]).get(day.day)
            ),
        )

    def record_up_to_date(
        self,
        context: dg.AssetExecutionContext,
        table: str,
        day: dt.date,
        run_days: int,
        source: RecordedDay | None,
    ) -> None:
        """Record a day that needs no building, with the figures of the run that built it."""
        previous = self.records[table, day].metadata
        record_day(
            context,
            table,
            day,
            {**previous, "rebuilt": False, "run_days": run_days},
            self.version(context, table, day, source),
        )


def earlier_hours(day: DayReport) -> EarlierHours:
    """What a day not complete yet was built from, for the run that grows it."""
    summary = day.summary
    return EarlierHours(
        tuple(day.found),
        {
            PUSH_EVENTS.name: summary.duplicates_across_files,
            EVENTS.name: summary.event_duplicates_across_files,
        },
    )


def _day(result: DayResult) -> dt.date:
    return result.summary.day


def _remove_staging_of_finished_runs(context: dg.AssetExecutionContext, store: Storage) -> None:
    """Remove the staged parts of finished runs of this instance, which were killed outright.

    A normal or failed run removes its own; those of unknown or unfinished runs are left alone.
    """
    for token in store.staging_tokens():
        run = context.instance.get_run_by_id(token.split(".")[0])
        if run is not None and run.is_finished:
            context.log.info(f"removing staged parts left by run {run.run_id} ({run.status.value})")
            store.remove_tree(store.staging_root(token))
