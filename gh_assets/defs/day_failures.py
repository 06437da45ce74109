"""Days that failed in a step, and how the step ends: a line each, and no other day stopped.

A step over many days builds every day it can and fails at its end, naming each failed day with
its cause on a line of its own. The manifest is the exception: a day whose hours could not be
probed must not stop the tables of the other days, which are built by the next step of the run.
So when a later step of the run is downstream of it, the manifest logs the day's failure and lets
the run go on; that step, finding no manifest of the day recorded in the run, fails the day
with the logged cause (`days_failed_upstream`). A re-run of the range probes the day again; a
re-execution from failure runs the tables' step alone, which builds the day from the manifest
stored before, if there is one.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable

import dagster as dg

_FAILED_LINE = re.compile(r"(\d{4}-\d{2}-\d{2}) failed: (.*)", re.DOTALL)


def failure_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def log_day_failure(context: dg.AssetExecutionContext, day: dt.date, cause: str) -> None:
    """Log a failed day as one error line of the step, as `days_failed_upstream` reads it."""
    context.log.error(f"{day} failed: {cause}")


def feeds_later_steps(context: dg.AssetExecutionContext) -> bool:
    """Whether the run materializes an asset downstream of this step's (its job's asset graph
    holds the run's assets only)."""
    graph = context.job_def.asset_layer.asset_graph
    return any(graph.get(key).child_keys for key in context.selected_asset_keys)


def days_failed_upstream(
    context: dg.AssetExecutionContext, upstream: str, days: Iterable[dt.date]
) -> dict[dt.date, str]:
    """The days for which `upstream`, materialized earlier in this run, recorded nothing: each
    with the cause its step logged (none when `upstream` is not in the run)."""
    layer, key = context.job_def.asset_layer, dg.AssetKey(upstream)
    if key not in layer.executable_asset_keys:
        return {}
    step, logged, recorded = layer.get(key).assets_def.node_def.name, {}, set()
    for entry in context.instance.all_logs(context.run.run_id):  # read once for both
        event = entry.dagster_event
        if event and event.is_step_materialization and event.asset_key == key:
            recorded.add(dt.date.fromisoformat(event.partition))
        elif (
            entry.step_key == step
            and entry.level == logging.ERROR
            and (match := _FAILED_LINE.fullmatch(entry.user_message or ""))
        ):
            logged[dt.date.fromisoformat(match[1])] = match[2]
    if not logged and not recorded:  # its step did not run in this run (a re-execution)
        return {}
    return {
        day: f"{upstream} failed for it in this run: {logged.get(day, 'see its step log')}"
        for day in days
        if day not in recorded
    }
