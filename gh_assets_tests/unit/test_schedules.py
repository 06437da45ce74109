"""The daily schedule: when its ticks come, and what a tick at a given time asks for."""

import datetime as dt

import dagster as dg
import pytest
from dagster._utils.schedules import schedule_execution_time_iterator

from gh_assets.definitions import defs

UTC = dt.UTC


@pytest.fixture(scope="module")
def schedule() -> dg.ScheduleDefinition:
    return defs.resolve_schedule_def("gharchive_daily_schedule")


def ticks_from(schedule: dg.ScheduleDefinition, moment: dt.datetime, count: int) -> list:
    """The next `count` tick times from `moment` on, as the daemon computes them."""
    times = schedule_execution_time_iterator(
        moment.timestamp(), schedule.cron_schedule, schedule.execution_timezone
    )
    return [next(times).astimezone(UTC) for _ in range(count)]


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2015, 1, 1, 12, 0, tzinfo=UTC),
        dt.datetime(2016, 3, 26, 23, 0, tzinfo=UTC),  # the night Europe moves its clocks
        dt.datetime(2016, 11, 6, 8, 0, tzinfo=UTC),  # the morning the US moves them back
    ],
    ids=["winter", "spring-forward", "fall-back"],
)
def test_ticks_come_every_day_at_0020_utc_whatever_the_season(schedule, moment) -> None:
    first = dt.datetime.combine(moment.date() + dt.timedelta(days=1), dt.time(0, 20), UTC)
    assert ticks_from(schedule, moment, 3) == [first + dt.timedelta(days=n) for n in range(3)]


@pytest.mark.parametrize(
    ("tick", "partition_key"),
    [
        (dt.datetime(2015, 1, 2, 0, 20, tzinfo=UTC), "2015-01-01"),
        (dt.datetime(2016, 3, 1, 0, 20, tzinfo=UTC), "2016-02-29"),
        (dt.datetime(2025, 1, 1, 0, 20, tzinfo=UTC), "2024-12-31"),
    ],
)
def test_tick_requests_the_last_complete_day(
    schedule: dg.ScheduleDefinition, tick: dt.datetime, partition_key: str
) -> None:
    with dg.instance_for_test() as instance:
        context = dg.build_schedule_context(
            instance=instance,
            scheduled_execution_time=tick,
            repository_def=defs.get_repository_def(),
        )
        [request] = schedule.evaluate_tick(context).run_requests
    assert request.partition_key == partition_key
    assert request.tags["dagster/partition"] == partition_key
    job = defs.resolve_job_def(request.job_name or schedule.job_name)
    assert {key.to_user_string() for key in job.asset_layer.selected_asset_keys} == {
        "gharchive_manifest",
        "push_events",
        "commits",
        "events",
        "repo_activity",
        "api_commits",
    }


def test_the_schedule_is_off_until_someone_turns_it_on(schedule: dg.ScheduleDefinition) -> None:
    """What the daemon does with a schedule nobody has turned on: nothing (README: both off)."""
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
