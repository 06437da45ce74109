"""The hour sensor ticking against a real HTTP mirror, on today's (UTC) calendar: a run of a day
per new hour, the run that completes the day before, and never a second writer of a day."""

import datetime as dt
import gzip
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.storage.dagster_run import DagsterRun
from dagster._core.utils import make_new_run_id

from gh_assets.archive.names import hour_filename
from gh_assets.defs.definitions import definitions_for
from gh_assets.defs.resources.archive import ArchiveResource
from gh_assets.settings import Settings
from gh_assets_tests.harnesses.archive_mirror import ArchiveMirror

NOW = dt.datetime.now(dt.UTC)
TODAY = NOW.date()
# days whose hours have all ended, whatever the time of the test
DAY_BEFORE = TODAY - dt.timedelta(days=2)
DAY = TODAY - dt.timedelta(days=1)


def hour(day: dt.date, number: int) -> str:
    return dt.datetime.combine(day, dt.time(number), dt.UTC).isoformat()


@pytest.fixture
def mirror(tmp_path: Path) -> Iterator[ArchiveMirror]:
    with ArchiveMirror(tmp_path) as running:
        yield running


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as test_instance:
        yield test_instance


def publish(mirror: ArchiveMirror, day: dt.date, *numbers: int) -> None:
    for number in numbers:
        (mirror.root / hour_filename(day, number)).write_bytes(gzip.compress(b""))


def tick(mirror: ArchiveMirror, instance: dg.DagsterInstance, cursor: str | None):
    defs = definitions_for(Settings.from_env({}))
    context = dg.build_sensor_context(
        instance=instance,
        cursor=cursor,
        definitions=defs,
        resources={"archive": ArchiveResource(base_url=mirror.base_url)},
    )
    return defs.resolve_sensor_def("gharchive_hour_sensor").evaluate_tick(context)


def requested(result) -> list[tuple[str, str]]:
    return [(request.partition_key, request.run_key) for request in result.run_requests]


def test_each_new_hour_requests_a_run_of_its_day(mirror, instance):
    publish(mirror, DAY, 0, 1, 2)
    result = tick(mirror, instance, hour(DAY, 0))
    assert requested(result) == [(DAY.isoformat(), f"{DAY}-2")]
    assert result.cursor == hour(DAY, 2)

    again = tick(mirror, instance, result.cursor)  # nothing new: no run, the cursor stays
    assert requested(again) == [] and again.cursor == hour(DAY, 2)
    assert "no hour after" in again.skip_message

    publish(mirror, DAY, 4)  # hour 3 is missing: stepped over
    after_gap = tick(mirror, instance, again.cursor)
    assert requested(after_gap) == [(DAY.isoformat(), f"{DAY}-4")]


def test_the_first_hour_of_a_day_completes_the_day_before(mirror, instance):
    publish(mirror, DAY_BEFORE, 21, 22)  # its hour 23 never comes
    publish(mirror, DAY, 0)
    result = tick(mirror, instance, hour(DAY_BEFORE, 22))
    assert requested(result) == [
        (DAY_BEFORE.isoformat(), f"{DAY_BEFORE}-done"),
        (DAY.isoformat(), f"{DAY}-0"),
    ]
    assert result.cursor == hour(DAY, 0)


def test_a_day_whose_run_is_still_going_waits_for_the_next_tick(mirror, instance):
    publish(mirror, DAY, 5, 6)
    going = DagsterRun(
        job_name="gharchive_daily",
        run_id=make_new_run_id(),
        status=dg.DagsterRunStatus.STARTED,
        tags={"dagster/partition": DAY.isoformat()},
    )
    instance.add_run(going)
    waiting = tick(mirror, instance, hour(DAY, 4))
    assert requested(waiting) == [] and waiting.cursor == hour(DAY, 4)
    assert f"a run of {DAY} is still going" in waiting.skip_message

    instance.report_run_failed(going)
    result = tick(mirror, instance, waiting.cursor)
    assert requested(result) == [(DAY.isoformat(), f"{DAY}-6")]


def test_without_a_cursor_it_starts_at_todays_first_hour(mirror, instance):
    publish(mirror, DAY, 23)  # yesterday is the day sensor's
    result = tick(mirror, instance, None)
    assert requested(result) == []
    assert result.cursor == hour(DAY, 23)
