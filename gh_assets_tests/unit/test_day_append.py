"""A day not complete yet: which hours are pending, which files a run reads to grow it, and the
accounting of the hours read before, kept with the day's record."""

import datetime as dt
import json

import pytest

from gh_assets.archive.completeness import day_is_done, pending_hours
from gh_assets.archive.manifest import manifest_table
from gh_assets.archive.source import HourFile
from gh_assets.compute.day_append import EarlierHours, hours_to_append, with_earlier
from gh_assets.compute.day_versions import hour_identities, manifest_version
from gh_assets.compute.hour_transform import HourSummary
from gh_assets.reading.event_rows import EventsRead

DAY = dt.date(2026, 12, 4)
UTC = dt.UTC


def identities(present: range, size: int = 100, changed: int | None = None) -> list[dict]:
    files = [
        HourFile(
            f"{DAY}-{hour}.json.gz",
            f"http://m/{hour}",
            hour in present,
            200 if hour in present else 404,
            (size + (hour == changed)) if hour in present else None,
        )
        for hour in range(24)
    ]
    return hour_identities(manifest_table(files))


@pytest.mark.parametrize(
    ("present", "now", "later", "done"),
    [
        (range(24), dt.datetime(2026, 12, 4, 23, 59, tzinfo=UTC), False, True),  # all 24 are in
        (range(10), dt.datetime(2026, 12, 4, 10, 30, tzinfo=UTC), False, False),  # today
        (range(23), dt.datetime(2026, 12, 5, 0, 5, tzinfo=UTC), False, False),  # 23 is late
        (range(23), dt.datetime(2026, 12, 5, 1, 5, tzinfo=UTC), True, True),  # a later hour is in
        (range(23), dt.datetime(2026, 12, 20, tzinfo=UTC), False, True),  # ended long ago
    ],
    ids=["all-hours", "today", "last-hour-late", "later-hour-exists", "long-ago"],
)
def test_a_day_is_done_when_its_hours_or_a_later_one_are_in(present, now, later, done):
    exists = [hour in present for hour in range(24)]
    assert day_is_done(DAY, exists, now, lambda name: later) is done
    pending = pending_hours(exists, done)
    assert pending == ([] if done else list(range(present.stop, 24)))


def test_a_hole_before_the_last_present_hour_is_missing_not_pending():
    exists = [hour not in (3, 4) and hour < 10 for hour in range(24)]
    assert pending_hours(exists, done=False) == list(range(10, 24))


def test_a_partial_day_has_a_version_of_its_own_until_it_is_complete():
    table = manifest_table(
        [HourFile(f"{DAY}-{h}.json.gz", "u", h < 23, 200 if h < 23 else 404) for h in range(24)]
    )
    assert manifest_version(table, [23]) != manifest_version(table)
    assert manifest_version(table, [23]) == manifest_version(table, [23])


def test_a_run_reads_only_the_hours_that_appeared_after_those_read():
    assert hours_to_append(identities(range(3)), identities(range(5))) == [
        f"{DAY}-3.json.gz",
        f"{DAY}-4.json.gz",
    ]
    assert hours_to_append(identities(range(5)), identities(range(5))) == []


def without(hours: list[dict], hour: int) -> list[dict]:
    """The hour files with `hour` missing, as a manifest of that moment says."""
    return [
        {**h, "exists": False, "status": 404, "size": None} if i == hour else h
        for i, h in enumerate(hours)
    ]


@pytest.mark.parametrize(
    ("then", "now"),
    [
        (identities(range(5)), identities(range(5), changed=1)),
        (identities(range(5)), identities(range(1, 5))),
        (without(identities(range(5)), 2), identities(range(5))),
    ],
    ids=["an-hour-read-changed", "an-hour-read-is-gone", "an-earlier-hour-appeared"],
)
def test_the_day_is_built_whole_when_the_hours_read_are_not_as_they_were(then, now):
    assert hours_to_append(then, now) is None


def test_the_hours_read_before_survive_their_record_as_json():
    hours = (
        HourSummary(f"{DAY}-0.json.gz", lines=10, events_read=EventsRead(events=9)),
        HourSummary(f"{DAY}-1.json.gz", lines=4, truncated="cut"),
    )
    earlier = EarlierHours(hours, {"push_events": 2, "events": 3})
    kept = EarlierHours.from_json(json.loads(json.dumps(earlier.to_json())))
    assert kept == earlier
    new = [HourSummary(f"{DAY}-2.json.gz", lines=7)]
    assert [h.source_file for h in with_earlier(new, earlier)] == [
        f"{DAY}-0.json.gz",
        f"{DAY}-1.json.gz",
        f"{DAY}-2.json.gz",
    ]
