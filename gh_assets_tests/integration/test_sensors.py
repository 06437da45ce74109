"""The day sensor ticking against a real HTTP mirror, on today's (UTC) calendar."""

import datetime as dt
import gzip
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from gh_assets.archive.names import hour_filename
from gh_assets.defs.definitions import definitions_for
from gh_assets.defs.resources.archive import ArchiveResource
from gh_assets.defs.sensors import MAX_DAYS_PER_TICK
from gh_assets.settings import Settings, variable
from gh_assets_tests.harnesses.archive_mirror import ArchiveMirror

ONE_DAY = dt.timedelta(days=1)


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
    mirror: ArchiveMirror,
    instance: dg.DagsterInstance,
    cursor: str | None,
    env: dict[str, str] | None = None,
):
    """A tick of the sensor of a deployment whose environment is `env`: what it requests, its
    cursor and its skip message."""
    defs = definitions_for(Settings.from_env(env or {}))
    context = dg.build_sensor_context(
        instance=instance,
        cursor=cursor,
        definitions=defs,
        resources={"archive": ArchiveResource(base_url=mirror.base_url)},
    )
    return defs.resolve_sensor_def("gharchive_day_sensor").evaluate_tick(context)


def requested(result) -> list[str]:
    assert all(request.run_key == request.partition_key for request in result.run_requests)
    return [request.partition_key for request in result.run_requests]


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


def test_without_a_cursor_it_starts_at_yesterday(mirror, instance, today) -> None:
    for n in range(1, 4):
        publish(mirror, today - n * ONE_DAY)
    result = tick(mirror, instance, cursor=None)
    assert requested(result) == [(today - ONE_DAY).isoformat()]


def test_without_a_cursor_it_starts_at_the_configured_first_day(mirror, instance, today) -> None:
    first_day = today - 2 * ONE_DAY
    for n in range(1, 4):
        publish(mirror, today - n * ONE_DAY)
    env = {variable("sensor_first_day"): first_day.isoformat()}
    result = tick(mirror, instance, cursor=None, env=env)
    assert requested(result) == [first_day.isoformat(), (today - ONE_DAY).isoformat()]


def test_without_a_cursor_the_first_tick_pins_its_place(mirror, instance, today) -> None:
    result = tick(mirror, instance, cursor=None)
    assert requested(result) == []
    assert result.cursor == (today - 2 * ONE_DAY).isoformat()
