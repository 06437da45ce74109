"""The data checks of the run report as Dagster asset checks, evaluated once per day.

`AssetCheckResult` has no partition, so a range run would record one result for all of its days.
Each day's verdict is logged instead as an `AssetCheckEvaluation` naming its partition, with the
day in its description and metadata, as soon as the day is published: the check's *Execution
history* has one row per day (a day up to date, not built again, keeps the verdicts of its build). A
check's status in the UI is its latest record, which Dagster keeps per partition in the order the
run planned them, so it would show the run's last day alone; a range run therefore ends each
check with one evaluation about the whole run (no partition), failed if any day failed, naming
those days.

`AssetCheckSpec(partitions_def=...)` would add a per-day status tab to each check, but Dagster
1.13 marks it a preview ("may have breaking changes in patch version releases ... not considered
ready for production use"), warns at every load, and counts a day's evaluation there only when it
points at its materialization through a class Dagster does not export; the checks stay
unpartitioned.
"""

import datetime as dt
from collections.abc import Iterator, Sequence

import dagster as dg
from dagster._core.definitions.asset_checks.asset_check_evaluation import (
    AssetCheckEvaluationTargetMaterializationData,
)
from dagster._core.event_api import PartitionKeyFilter
from dagster._core.storage.asset_check_execution_record import (
    AssetCheckExecutionRecord,
    AssetCheckExecutionRecordStatus,
)

from gh_assets.compute.run_report import CHECKS, DayReport
from gh_assets.defs import command_line_summary
from gh_assets.defs.assets.metadata import metadata
from gh_assets.defs.day_records import RecordedDay, recorded_days
from gh_assets.github.report import ApiDayReport
from gh_assets.reporting import CheckOutcome, DataCheck, run_outcome


def check_specs(checks: Sequence[DataCheck]) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(check.name, asset=check.table.name, description=check.description)
        for check in checks
    ]


CHECK_SPECS = check_specs(CHECKS)
SEVERITY = {"error": dg.AssetCheckSeverity.ERROR, "warn": dg.AssetCheckSeverity.WARN}
JUDGED = {AssetCheckExecutionRecordStatus.SUCCEEDED, AssetCheckExecutionRecordStatus.FAILED}


class CheckVerdicts:
    """A step's check verdicts: each day's logged as the day is published (or, for a day up to
    date, its last verdict logged again, naming the run that judged it), then the run's."""

    def __init__(self, context: dg.AssetExecutionContext):
        self.context = context
        self.outcomes: dict[tuple[str, str, str], dict[str, CheckOutcome]] = {}
        self.targets: dict[tuple[str, str], RecordedDay] = {}  # (asset, ISO day): its record

    def record(self, asset: str, name: str, severity: str, day: str, outcome: CheckOutcome):
        """Log one check's verdict on one day (ISO), naming the day in its description and
        pointing at the day's record it judges (the UI's *Target materialization*)."""
        self.outcomes.setdefault((asset, name, severity), {})[day] = outcome
        command_line_summary.note_check(asset, name, severity, day, outcome.passed)
        if not outcome.passed:
            self.context.log.warning(
                f"{day}: check {name} of {asset} failed ({severity.upper()}): {outcome.summary}"
            )
        if (asset, day) not in self.targets:
            self._find_targets(asset, [day])
        self.context.log_event(
            _evaluation(
                asset,
                name,
                outcome,
                f"{day}: {outcome.summary}",
                {"day": day},
                day,
                severity,
                self.targets.get((asset, day)),
            )
        )

    def _find_targets(self, asset: str, days: list[str]) -> None:
        """The latest record of each of `days` of `asset` (one query for them all)."""
        found = recorded_days(self.context.instance, asset, map(dt.date.fromisoformat, days))
        self.targets |= {(asset, day.isoformat()): record for day, record in found.items()}

    def judge(self, day: DayReport | ApiDayReport, checks: Sequence[DataCheck]) -> None:
        """Every check's verdict on a day just published."""
        for check in checks:
            self.record(
                check.table.name, check.name, check.severity, day.partition_key, check.rule(day)
            )

    def carry_over(self, asset: str, checks: Sequence[tuple[str, str]], days: list[str]) -> None:
        """The last verdicts of each check `(name, severity)` of `asset` on days up to date (ISO):
        one query per check for its recent verdicts, and one per day older than those."""
        storage = self.context.instance.event_log_storage
        if checks and days:
            self._find_targets(asset, days)
        for name, severity in checks:
            key = dg.AssetCheckKey(dg.AssetKey(asset), name)
            latest = {}
            for record in storage.get_asset_check_execution_history(
                key, limit=100 + 4 * len(days), status=JUDGED
            ):
                latest.setdefault(record.partition, record)
            for day in days:
                record = latest.get(day) or next(
                    iter(
                        storage.get_asset_check_execution_history(
                            key,
                            limit=1,
                            status=JUDGED,
                            partition_filter=PartitionKeyFilter(key=day),
                        )
                    ),
                    None,
                )
                if record is not None:
                    self.record(asset, name, severity, day, _carried(record, day))

    def run_evaluations(self) -> list[dg.AssetCheckEvaluation]:
        """Each check's verdict on a run of several days: failed if any day failed."""
        evaluations = []
        for (asset, name, severity), outcomes in self.outcomes.items():
            if len(outcomes) > 1:
                outcome = run_outcome(dict(sorted(outcomes.items())))
                evaluations.append(
                    _evaluation(asset, name, outcome, outcome.summary, {}, None, severity)
                )
        return evaluations

    def close(self, keys: Sequence[dg.AssetCheckKey]) -> Iterator[dg.Output]:
        """Log the run's verdicts, then close the outputs of the checks of `keys`."""
        yield from log_and_close(self.context, self.run_evaluations(), keys)


def _carried(record: AssetCheckExecutionRecord, day: str) -> CheckOutcome:
    """The verdict of an earlier run on a day, naming that run."""
    evaluation = record.event.dagster_event.event_specific_data
    summary = (evaluation.description or "").removeprefix(f"{day}: ")
    about = {key: value.value for key, value in evaluation.metadata.items() if key != "day"}
    return CheckOutcome(evaluation.passed, summary, {**about, "judged_in_run": record.run_id})


def _evaluation(
    asset: str,
    check_name: str,
    outcome: CheckOutcome,
    description: str,
    about: dict,
    partition: str | None,
    severity: str,
    target: RecordedDay | None = None,
) -> dg.AssetCheckEvaluation:
    return dg.AssetCheckEvaluation(
        asset_key=dg.AssetKey(asset),
        check_name=check_name,
        passed=outcome.passed,
        partition=partition,
        severity=SEVERITY[severity],
        description=description,
        metadata=metadata({**about, **outcome.metadata}),
        target_materialization_data=(
            AssetCheckEvaluationTargetMaterializationData(
                storage_id=target.storage_id, run_id=target.run_id, timestamp=target.timestamp
            )
            if target
            else None
        ),
    )


def selected_checks(
    context: dg.AssetExecutionContext, checks: Sequence[DataCheck] = CHECKS
) -> list[DataCheck]:
    """The checks of `checks` that the run selected."""
    selected = context.selected_asset_check_keys
    return [c for c in checks if dg.AssetCheckKey(dg.AssetKey(c.table.name), c.name) in selected]


def log_and_close(
    context: dg.AssetExecutionContext,
    evaluations: Sequence[dg.AssetCheckEvaluation],
    keys: Sequence[dg.AssetCheckKey],
) -> Iterator[dg.Output]:
    """Log the evaluations, then close the outputs of the checks of `keys` (each once)."""
    for evaluation in evaluations:
        context.log_event(evaluation)
    for key in keys:
        yield dg.Output(
            None, output_name=context.assets_def.get_output_name_for_asset_check_key(key)
        )
