"""The day sensor requests each day once, in order, only when the archive shows it is complete."""

import datetime as dt
import gzip

import dagster as dg
import pytest

from gh_assets.archive.completeness import day_is_complete, days_to_request, later_hour_filenames
from gh_assets.archive.names import day_filenames, hour_filename
from gh_assets.definitions import defs
from gh_assets.defs.definitions import definitions_for
from gh_assets.defs.resources.archive import ArchiveResource
from gh_assets.defs.sensors import InvalidSensorCursor, last_requested_day
from gh_assets.settings import Settings

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


@pytest.mark.parametrize(
    ("now", "ended_hours"),
    [
        pytest.param(at(DAY + ONE_DAY), [], id="midnight-nothing-later-has-ended"),
        pytest.param(at(DAY + ONE_DAY, 1) - dt.timedelta(microseconds=1), [], id="just-before-1"),
        pytest.param(at(DAY + ONE_DAY, 1), [0], id="exactly-1-hour-0-has-ended"),
        pytest.param(at(DAY + ONE_DAY, 3), [0, 1, 2], id="exactly-3"),
    ],
)
def test_later_hours_are_those_ended_by_now(now: dt.datetime, ended_hours: list[int]) -> None:
    """An hour has ended at the very start of the next one, not a moment before."""
    expected = [hour_filename(DAY + ONE_DAY, hour) for hour in ended_hours]
    assert list(later_hour_filenames(DAY, now)) == expected


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


# The sensor's definition, and a tick over a folder copy of the archive (no server).


def test_sensor_is_registered_stopped_on_the_daily_job() -> None:
    sensor = defs.resolve_sensor_def("gharchive_day_sensor")
    assert sensor.job_name == "gharchive_daily"
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED
    assert sensor.minimum_interval_seconds == 300


def folder_tick(folder, cursor: str | None, definitions: dg.Definitions = defs) -> list[str]:
    """The days a tick of the deployment's sensor requests over a folder copy of the archive."""
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(
            instance=instance,
            cursor=cursor,
            definitions=definitions,
            resources={"archive": ArchiveResource(base_url=f"file://{folder}")},
        )
        result = definitions.resolve_sensor_def("gharchive_day_sensor").evaluate_tick(context)
    assert all(request.run_key == request.partition_key for request in result.run_requests)
    return [request.partition_key for request in result.run_requests]


def complete_day(folder, day: dt.date) -> None:
    for number in range(24):
        (folder / hour_filename(day, number)).write_bytes(gzip.compress(b""))


def test_a_folder_copy_of_the_archive_is_watched_the_same_way(tmp_path) -> None:
    """The same tick as against the HTTP mirror (integration/test_sensors.py), over a folder."""
    today = dt.datetime.now(dt.UTC).date()
    complete_day(tmp_path, today - ONE_DAY)
    assert folder_tick(tmp_path, (today - 2 * ONE_DAY).isoformat()) == [
        (today - ONE_DAY).isoformat()
    ]


def test_without_a_cursor_it_starts_at_the_first_day_of_the_settings_it_was_built_from(tmp_path):
    complete_day(tmp_path, DAY)
    definitions = definitions_for(Settings(sensor_first_day=DAY))
    assert folder_tick(tmp_path, None, definitions) == [DAY.isoformat()]
