"""The data checks of the run report, as Dagster asset checks."""

import dagster as dg

from gh_assets.compute.run_report import CHECKS, RunReport
from gh_assets.defs.assets.metadata import metadata

CHECK_SPECS = [
    dg.AssetCheckSpec(check.name, asset=check.table.name, description=check.description)
    for check in CHECKS
]


def check_results(report: RunReport) -> list[dg.AssetCheckResult]:
    results = []
    for check in CHECKS:
        outcome = check.rule(report)
        results.append(
            dg.AssetCheckResult(
                asset_key=check.table.name,
                check_name=check.name,
                passed=outcome.passed,
                metadata=metadata(outcome.metadata),
            )
        )
    return results
