"""The data checks of the run report as Dagster asset checks, evaluated once per day.

`AssetCheckResult` has no partition, so a range run would record one result for all of its days.
Each day's verdict is logged instead as an `AssetCheckEvaluation` naming its partition, with the
day in its description and metadata: the check's *Execution history* has one row per day. A
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

from collections.abc import Iterator, Mapping, Sequence

import dagster as dg

from gh_assets.compute.run_report import CHECKS, RunReport
from gh_assets.defs.assets.metadata import metadata
from gh_assets.github.report import ApiCommitsReport
from gh_assets.reporting import CheckOutcome, DataCheck, run_outcome

Report = RunReport | ApiCommitsReport  # each has `day_reports`, the days its checks judge


def check_specs(checks: Sequence[DataCheck]) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(check.name, asset=check.table.name, description=check.description)
        for check in checks
    ]


CHECK_SPECS = check_specs(CHECKS)
SEVERITY = {"error": dg.AssetCheckSeverity.ERROR, "warn": dg.AssetCheckSeverity.WARN}


def check_evaluations(
    report: Report, checks: Sequence[DataCheck] = CHECKS
) -> list[dg.AssetCheckEvaluation]:
    """Every check's verdict on every day of the run, each naming its day, then on the run."""
    evaluations = []
    for check in checks:
        outcomes = {day.partition_key: check.rule(day) for day in report.day_reports}
        evaluations += evaluations_by_day(check.table.name, check.name, outcomes, check.severity)
    return evaluations


def evaluations_by_day(
    asset: str, check_name: str, outcomes: Mapping[str, CheckOutcome], severity: str = "error"
) -> list[dg.AssetCheckEvaluation]:
    """One check's verdict on each day (by ISO day), naming it, then on the run if it has
    several."""

    def evaluation(outcome: CheckOutcome, description: str, about: dict, partition: str | None):
        return dg.AssetCheckEvaluation(
            asset_key=dg.AssetKey(asset),
            check_name=check_name,
            passed=outcome.passed,
            partition=partition,
            severity=SEVERITY[severity],
            description=description,
            metadata=metadata({**about, **outcome.metadata}),
        )

    evaluations = [
        evaluation(outcome, f"{day}: {outcome.summary}", {"day": day}, day)
        for day, outcome in outcomes.items()
    ]
    if len(outcomes) > 1:
        outcome = run_outcome(outcomes)
        evaluations.append(evaluation(outcome, outcome.summary, {}, None))
    return evaluations


def log_check_evaluations(
    context: dg.AssetExecutionContext, report: Report, checks: Sequence[DataCheck] = CHECKS
) -> Iterator[dg.Output]:
    """Log the evaluations (after the materializations), then close the checks' outputs.

    A check output that is not yielded counts as missing, so each selected one gets an empty
    `Output` once its evaluations are in the event log; the checks of assets a run leaves out
    (a subset of a multi-asset) are neither evaluated nor closed.
    """
    selected = context.selected_asset_check_keys
    checks = [c for c in checks if dg.AssetCheckKey(dg.AssetKey(c.table.name), c.name) in selected]
    keys = [spec.key for spec in check_specs(checks)]
    yield from log_and_close(context, check_evaluations(report, checks), keys)


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
