"""The daily schedule builds the day that just ended, at 00:20 UTC."""

import datetime as dt

import dagster as dg
import pytest

from gh_assets.definitions import defs


@pytest.fixture(scope="module")
def schedule() -> dg.ScheduleDefinition:
    return defs.resolve_schedule_def("gharchive_daily_schedule")


def test_schedule_runs_the_daily_job_at_0020_utc_and_starts_stopped(
    schedule: dg.ScheduleDefinition,
) -> None:
    assert schedule.job_name == "gharchive_daily"
    assert schedule.cron_schedule == "20 0 * * *"
    assert schedule.execution_timezone == "UTC"
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED


@pytest.mark.parametrize(
    ("tick", "partition_key"),
    [
        (dt.datetime(2015, 1, 2, 0, 20, tzinfo=dt.UTC), "2015-01-01"),
        (dt.datetime(2016, 3, 1, 0, 20, tzinfo=dt.UTC), "2016-02-29"),
        (dt.datetime(2025, 1, 1, 0, 20, tzinfo=dt.UTC), "2024-12-31"),
    ],
)
def test_tick_requests_the_last_complete_day(
    schedule: dg.ScheduleDefinition, tick: dt.datetime, partition_key: str
) -> None:
    with dg.instance_for_test() as instance:
        context = dg.build_schedule_context(instance=instance, scheduled_execution_time=tick)
        [request] = schedule.evaluate_tick(context).run_requests
    assert request.partition_key == partition_key
    assert request.tags["dagster/partition"] == partition_key
