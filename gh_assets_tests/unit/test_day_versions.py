"""A day's version says what it was built from; a run builds the days whose version changed."""

import dataclasses
import datetime as dt

import pytest

from gh_assets.archive.manifest import manifest_table
from gh_assets.archive.source import HourFile
from gh_assets.compute.day_versions import built_version, manifest_version, plan_days

DAYS = [dt.date(2016, 1, 1), dt.date(2016, 1, 2)]


def hour_files(**changes) -> list[HourFile]:
    files = [
        HourFile(
            f"2016-01-01-{hour}.json.gz",
            f"http://m/{hour}",
            True,
            200,
            1000 + hour,
            f'"etag-{hour}"',
            "Fri, 01 Jan 2016 01:00:00 GMT",
        )
        for hour in range(24)
    ]
    files[5] = dataclasses.replace(files[5], **changes)
    return files


@pytest.mark.parametrize(
    "change",
    [
        {"size": 1},
        {"etag": '"another"'},
        {"last_modified": "Sat, 02 Jan 2016 01:00:00 GMT"},
        {"exists": False, "status": 404, "size": None, "etag": None, "last_modified": None},
    ],
    ids=["size", "etag", "last-modified", "gone"],
)
def test_any_change_of_an_hour_file_changes_the_manifest_version(change):
    same = manifest_version(manifest_table(hour_files()))
    assert manifest_version(manifest_table(hour_files())) == same
    assert manifest_version(manifest_table(hour_files(**change))) != same


def test_a_built_version_follows_its_code_and_its_inputs():
    version = built_version("1", "manifest-a")
    assert built_version("1", "manifest-a") == version
    assert len({version, built_version("2", "manifest-a"), built_version("1", "manifest-b")}) == 3


def test_a_day_is_up_to_date_only_with_its_version_recorded_and_its_file_stored():
    first, second = DAYS
    tables = ["push_events", "events"]
    expected = {(table, day): f"{table}-v" for table in tables for day in DAYS}
    recorded = dict(expected)
    recorded["events", second] = "older"
    stored = {(table, day) for table in tables for day in DAYS} - {("push_events", second)}
    plan = plan_days(DAYS, tables, expected, recorded, stored)
    assert plan.up_to_date == {first: ("push_events", "events")}
    assert plan.build == {second: ("push_events", "events")}


@pytest.mark.parametrize("expected_version", [None, "v"])
def test_an_unknown_version_or_force_builds_the_day(expected_version):
    [day] = DAYS[:1]
    key = ("push_events", day)
    plan = plan_days([day], ["push_events"], {key: expected_version}, {key: "v"}, {key})
    assert bool(plan.build) == (expected_version is None)
    forced = plan_days([day], ["push_events"], {key: "v"}, {key: "v"}, {key}, force=True)
    assert forced.build == {day: ("push_events",)} and not forced.up_to_date
