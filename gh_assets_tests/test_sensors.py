"""The day sensor requests each day once, in order, only when the archive shows it is complete."""

import datetime as dt
import gzip
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.definitions.sensor_definition import SensorExecutionData

from gh_assets.archive.completeness import day_is_complete, days_to_request
from gh_assets.archive.names import day_filenames, hour_filename
from gh_assets.definitions import defs
from gh_assets.defs.resources.archive import ArchiveResource
from gh_assets.defs.sensors import (
    MAX_DAYS_PER_TICK,
    InvalidSensorCursor,
    day_sensor,
    last_requested_day,
)
from gh_assets.settings import current_settings, variable
from gh_assets_tests.archive_mirror import ArchiveMirror

DAY = dt.date(2015, 1, 1)
ONE_DAY = dt.timedelta(days=1)


def at(day: dt.date, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), dt.UTC)


def hours(day: dt.date, *numbers: int) -> set[str]:
    return {hour_filename(day, number) for number in numbers}


# The decision, on its own: "does this file exist" is a set lookup.


@pytest.mark.parametrize(
    ("files", "now", "complete"),
    [
        pytest.param(set(day_filenames(DAY)), at(DAY + ONE_DAY, 0, 20), True, id="all-24-hours"),
        pytest.param(hours(DAY, *range(23)), at(DAY + ONE_DAY, 0, 5), False, id="hour-23-not-yet"),
        pytest.param(
            hours(DAY, 0, 1, 2) | hours(DAY + ONE_DAY, 0),
            at(DAY + ONE_DAY, 1, 10),
            True,
            id="missing-hours-then-next-day-hour-0",
        ),
        pytest.param(
            hours(DAY, 0, 1, 2) | hours(DAY + 2 * ONE_DAY, 16),
            at(DAY + 3 * ONE_DAY),
            True,
            id="missing-hours-then-a-gap-then-an-hour",
        ),
        pytest.param(
            hours(DAY, 0, 1, 2), at(DAY + 3 * ONE_DAY), False, id="missing-hours-nothing-since"
        ),
    ],
)
def test_day_is_complete(files: set[str], now: dt.datetime, complete: bool) -> None:
    assert day_is_complete(DAY, now, files.__contains__) is complete


def test_catching_up_is_ordered_capped_and_costs_one_check_a_day() -> None:
    files = {name for n in range(10) for name in day_filenames(DAY + n * ONE_DAY)}
    checked: list[str] = []

    def file_exists(name: str) -> bool:
        checked.append(name)
        return name in files

    days = days_to_request(DAY - ONE_DAY, at(DAY + 10 * ONE_DAY, 12), file_exists, limit=3)
    assert days == [DAY, DAY + ONE_DAY, DAY + 2 * ONE_DAY]
    assert checked == [hour_filename(day + ONE_DAY, 0) for day in days]


def test_stops_at_the_first_incomplete_day() -> None:
    files = set(day_filenames(DAY)) | hours(DAY + ONE_DAY, *range(12))
    assert days_to_request(DAY - ONE_DAY, at(DAY + 5 * ONE_DAY), files.__contains__, 3) == [DAY]


def test_never_requests_a_day_that_has_not_ended() -> None:
    files = {name for n in range(3) for name in day_filenames(DAY + n * ONE_DAY)}
    now = at(DAY + ONE_DAY, 23, 59)
    assert days_to_request(DAY - ONE_DAY, now, files.__contains__, limit=10) == [DAY]


@pytest.mark.parametrize(
    ("cursor", "first_day", "last_requested"),
    [
        ("2015-01-01", dt.date(2014, 6, 1), DAY),
        (None, dt.date(2014, 6, 1), dt.date(2014, 5, 31)),
        (None, None, dt.date(2015, 1, 8)),
        ("", None, dt.date(2015, 1, 8)),
    ],
)
def test_last_requested_day(
    cursor: str | None, first_day: dt.date | None, last_requested: dt.date
) -> None:
    assert last_requested_day(cursor, first_day, today=dt.date(2015, 1, 10)) == last_requested


@pytest.mark.parametrize(
    ("cursor", "message"), [("yesterday", "YYYY-MM-DD"), ("2010-01-01", "archive starts")]
)
def test_bad_cursor_says_what_to_do(cursor: str, message: str) -> None:
    with pytest.raises(InvalidSensorCursor, match=message):
        last_requested_day(cursor, None, today=DAY)


# The sensor, ticking against a real HTTP mirror, on today's (UTC) calendar.


@pytest.fixture
def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@pytest.fixture
def mirror(tmp_path: Path) -> Iterator[ArchiveMirror]:
    with ArchiveMirror(tmp_path) as running:
        yield running


@pytest.fixture(scope="module")
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as test_instance:
        yield test_instance


def publish(mirror: ArchiveMirror, day: dt.date, *numbers: int) -> None:
    """Put tiny gzip files for these hours of `day` (default: all 24) in the mirror."""
    for number in numbers or range(24):
        (mirror.root / hour_filename(day, number)).write_bytes(gzip.compress(b""))


def tick(
    mirror: ArchiveMirror, instance: dg.DagsterInstance, cursor: str | None
) -> SensorExecutionData:
    context = dg.build_sensor_context(
        instance=instance,
        cursor=cursor,
        definitions=defs,
        resources={"archive": ArchiveResource(base_url=mirror.base_url)},
    )
    return day_sensor.evaluate_tick(context)


def requested(result: SensorExecutionData) -> list[str]:
    assert all(request.run_key == request.partition_key for request in result.run_requests)
    return [request.partition_key for request in result.run_requests]


def test_sensor_is_registered_stopped_on_the_daily_job() -> None:
    sensor = defs.resolve_sensor_def("gharchive_day_sensor")
    assert sensor.job_name == "gharchive_daily"
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED
    assert sensor.minimum_interval_seconds == 300


def test_complete_day_is_requested(mirror, instance, today) -> None:
    yesterday = today - ONE_DAY
    publish(mirror, yesterday)
    result = tick(mirror, instance, cursor=(today - 2 * ONE_DAY).isoformat())
    assert requested(result) == [yesterday.isoformat()]
    assert result.cursor == yesterday.isoformat()
    assert {request.method for request in mirror.requests} == {"HEAD"}


def test_an_archive_that_fails_fails_the_tick_after_two_tries(mirror, instance, today) -> None:
    """Two tries per probe keep a tick within Dagster's 60 s limit; the next tick starts over."""
    yesterday = today - ONE_DAY
    publish(mirror, yesterday)
    name = hour_filename(yesterday, 0)  # probed on every tick: no later hour is published
    mirror.add_faults(name, *["status_503"] * 3, method="HEAD")
    with pytest.raises(Exception, match=f"{name} failed after 2 attempts: HTTP 503"):
        tick(mirror, instance, cursor=(today - 2 * ONE_DAY).isoformat())
    assert [r.fault for r in mirror.requests if name in r.path] == ["status_503"] * 2


def test_a_folder_copy_of_the_archive_is_watched_the_same_way(tmp_path, instance, today) -> None:
    yesterday = today - ONE_DAY
    for number in range(24):
        (tmp_path / hour_filename(yesterday, number)).write_bytes(gzip.compress(b""))
    context = dg.build_sensor_context(
        instance=instance,
        cursor=(today - 2 * ONE_DAY).isoformat(),
        definitions=defs,
        resources={"archive": ArchiveResource(base_url=f"file://{tmp_path}")},
    )
    assert requested(day_sensor.evaluate_tick(context)) == [yesterday.isoformat()]


def test_incomplete_day_is_not_requested_and_the_cursor_stays(mirror, instance, today) -> None:
    publish(mirror, today - ONE_DAY, *range(23))
    cursor = (today - 2 * ONE_DAY).isoformat()
    result = tick(mirror, instance, cursor)
    assert requested(result) == []
    assert result.cursor == cursor
    assert "is not complete in the archive yet" in result.skip_message


def test_day_with_missing_hours_is_requested_once_the_next_day_begins(
    mirror, instance, today
) -> None:
    day = today - 2 * ONE_DAY
    publish(mirror, day, *range(10))
    cursor = (day - ONE_DAY).isoformat()
    assert requested(tick(mirror, instance, cursor)) == []
    publish(mirror, day + ONE_DAY, 0)
    assert requested(tick(mirror, instance, cursor)) == [day.isoformat()]


def test_days_behind_are_caught_up_in_order_a_few_per_tick(mirror, instance, today) -> None:
    behind = [today - n * ONE_DAY for n in range(7, 0, -1)]
    for day in behind:
        publish(mirror, day)
    publish(mirror, today)  # a mirror ahead of the clock: today has not ended, so it waits
    publish(mirror, today + ONE_DAY, 0)
    cursor = (behind[0] - ONE_DAY).isoformat()
    ticks = []
    for _ in range(4):
        result = tick(mirror, instance, cursor)
        ticks.append(requested(result))
        cursor = result.cursor
    keys = [day.isoformat() for day in behind]
    assert ticks == [keys[0:3], keys[3:6], keys[6:7], []]
    assert max(len(requests) for requests in ticks) == MAX_DAYS_PER_TICK
    assert cursor == keys[-1]
    assert "has not ended yet" in result.skip_message


@pytest.fixture
def first_day_setting(monkeypatch):
    """Sets GH_ASSETS_SENSOR_FIRST_DAY (None: unset) as a deployment would, read afresh."""

    def set_first_day(day: dt.date | None) -> None:
        if day is None:
            monkeypatch.delenv(variable("sensor_first_day"), raising=False)
        else:
            monkeypatch.setenv(variable("sensor_first_day"), day.isoformat())
        current_settings.cache_clear()

    yield set_first_day
    current_settings.cache_clear()


def test_without_a_cursor_it_starts_at_yesterday(
    mirror, instance, today, first_day_setting
) -> None:
    first_day_setting(None)
    for n in range(1, 4):
        publish(mirror, today - n * ONE_DAY)
    result = tick(mirror, instance, cursor=None)
    assert requested(result) == [(today - ONE_DAY).isoformat()]


def test_without_a_cursor_it_starts_at_the_configured_first_day(
    mirror, instance, today, first_day_setting
) -> None:
    first_day = today - 2 * ONE_DAY
    first_day_setting(first_day)
    for n in range(1, 4):
        publish(mirror, today - n * ONE_DAY)
    result = tick(mirror, instance, cursor=None)
    assert requested(result) == [first_day.isoformat(), (today - ONE_DAY).isoformat()]


def test_without_a_cursor_the_first_tick_pins_its_place(mirror, instance, today) -> None:
    result = tick(mirror, instance, cursor=None)
    assert requested(result) == []
    assert result.cursor == (today - 2 * ONE_DAY).isoformat()
