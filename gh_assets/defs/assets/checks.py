"""The data checks of the run report as Dagster asset checks, evaluated once per day.

`AssetCheckResult` has no partition, so a range run would record one result for all of its days.
Each day's verdict is logged instead as an `AssetCheckEvaluation` naming its partition, with the
day in its description and metadata: the check's *Execution history* shows one row per day. A
check's status in the UI is its latest evaluation, so a run logs its failing days last: a check
that failed on any day of the latest run shows as failed, naming that day.

`AssetCheckSpec(partitions_def=...)` would add a per-day status tab to each check, but Dagster
1.13 marks it a preview ("may have breaking changes in patch version releases ... not considered
ready for production use"), warns at every load, and tracks a day's status only for evaluations
that point at their materialization through a class it does not export; the checks stay
unpartitioned.
"""

from collections.abc import Iterator

import dagster as dg

from gh_assets.compute.run_report import CHECKS, RunReport
from gh_assets.defs.assets.metadata import metadata

CHECK_SPECS = [
    dg.AssetCheckSpec(check.name, asset=check.table.name, description=check.description)
    for check in CHECKS
]
SEVERITY = {"error": dg.AssetCheckSeverity.ERROR, "warn": dg.AssetCheckSeverity.WARN}


def day_check_evaluations(report: RunReport) -> list[dg.AssetCheckEvaluation]:
    """Every check's verdict on every day of the run, each naming its day; failures last."""
    evaluations = [
        dg.AssetCheckEvaluation(
            asset_key=dg.AssetKey(check.table.name),
            check_name=check.name,
            passed=outcome.passed,
            partition=day.partition_key,
            severity=SEVERITY[check.severity],
            description=f"{day.partition_key}: {outcome.summary}",
            metadata=metadata({"day": day.partition_key, **outcome.metadata}),
        )
        for day in report.day_reports
        for check in CHECKS
        for outcome in [check.rule(day)]
    ]
    return sorted(evaluations, key=lambda evaluation: not evaluation.passed)


def log_check_evaluations(
    context: dg.AssetExecutionContext, report: RunReport
) -> Iterator[dg.Output]:
    """Log each day's evaluations (after the materializations), then close the checks' outputs.

    A check output that is not yielded counts as missing, so each gets an empty `Output` once its
    evaluations are in the event log.
    """
    for evaluation in day_check_evaluations(report):
        context.log_event(evaluation)
    for spec in CHECK_SPECS:
        output_name = context.assets_def.get_output_name_for_asset_check_key(spec.key)
        yield dg.Output(None, output_name=output_name)
