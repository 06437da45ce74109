"""A range run gives each day's partition that day's own figures and check evaluations.

One run over three days with different contents (generated hours on the loopback mirror, a day
with no file at all, a damaged day), on the multi-process Dask cluster.
"""

import datetime as dt
from collections import Counter

import dagster as dg
import pytest

from gh_assets.compute.run_report import CHECKS
from gh_assets_tests.harnesses.pipeline import materialize_days
from gh_assets_tests.oracles.events_oracle import oracle_rows_of_fake
from gh_assets_tests.oracles.expected import expected_accounting, expected_rows
from gh_assets_tests.oracles.tables_read import top_repos_figure
from gh_assets_tests.synthetic.days import fake_damaged_day, fake_day

FULL, EMPTY, DAMAGED = dt.date(2016, 3, 1), dt.date(2016, 3, 2), dt.date(2016, 3, 3)
TABLES = ("gharchive_manifest", "push_events", "commits", "events", "repo_activity")
CHECK_KEYS = [(check.table.name, check.name) for check in CHECKS] + [
    ("repo_activity", "matches_a_recount_of_events")
]


def values(metadata: dict) -> dict:
    return {key: value.value for key, value in metadata.items()}


@pytest.fixture
def range_run(mirror_root, address_resources, instance):
    """The three days as one run; the fake days by date."""
    fakes = {FULL: fake_day(FULL, seed=1, hours=[3, 4]), DAMAGED: fake_damaged_day(DAMAGED)}
    del fakes[DAMAGED].hours[7]  # a body that stays not gzip fails its day: see test_archive
    for fake in fakes.values():
        fake.write(mirror_root)
    result = materialize_days(address_resources, instance, FULL.isoformat(), DAMAGED.isoformat())
    assert result.success
    return result, fakes


def test_each_partition_has_its_own_days_figures(range_run):
    result, fakes = range_run
    events = Counter(
        (event.asset_key.to_user_string(), event.partition)
        for event in result.get_asset_materialization_events()
    )
    days = [day.isoformat() for day in (FULL, EMPTY, DAMAGED)]
    assert events == {(table, day): 1 for table in TABLES for day in days}
    figures = {
        (event.asset_key.to_user_string(), event.partition): values(event.materialization.metadata)
        for event in result.get_asset_materialization_events()
    }
    for day in (FULL, EMPTY, DAMAGED):
        key = day.isoformat()
        pushes, commits = figures["push_events", key], figures["commits", key]
        manifest = figures["gharchive_manifest", key]
        fake = fakes.get(day)
        accounting = expected_accounting(fake) if fake else None
        push_rows = expected_rows(fake)[0] if fake else []
        assert pushes["dagster/row_count"] == len(push_rows) == pushes["push_events"]
        assert commits["dagster/row_count"] == (accounting.commits if fake else 0)
        assert (
            pushes["hours_missing"]
            == manifest["hours_missing"]
            == 24 - len(fake.hours if fake else [])
        )
        assert pushes["files_read"] == manifest["files_present"] == len(fake.hours if fake else [])
        assert pushes["damaged_hours"] == (len(accounting.damaged_hours) if fake else 0)
        assert f"date={key}" in pushes["path"] and f"date={key}" in commits["path"]
        assert f"on {key}" in pushes["top_repos"]
        want = Counter(row["repo"] for row in push_rows)
        assert top_repos_figure(pushes["top_repos"]) == dict(
            sorted(want.items(), key=lambda item: (-item[1], item[0]))[:10]
        )
        events = oracle_rows_of_fake(fake) if fake else []
        assert figures["events", key]["dagster/row_count"] == len(events)
        repos = {row["repo"] for row in events} - {None}
        assert figures["repo_activity", key]["dagster/row_count"] == len(repos)
        for table in TABLES:
            assert figures[table, key]["run_days"] == 3
    # the days differ, so a figure copied from another day would show
    assert len({figures["push_events", day]["dagster/row_count"] for day in days}) == 3


def test_run_totals_are_an_observation_of_the_run_and_add_up(range_run):
    """Days are recorded as they are published, before the run's totals exist: those are one
    observation of each table at the run's end, and each day says when it was published."""
    result, _ = range_run
    pushes = {
        event.partition: values(event.materialization.metadata)
        for event in result.get_asset_materialization_events()
        if event.asset_key == dg.AssetKey("push_events")
    }
    [observation] = [
        event.event_specific_data.asset_observation
        for event in result.all_events
        if event.event_type == dg.DagsterEventType.ASSET_OBSERVATION
        and event.asset_key == dg.AssetKey("push_events")
    ]
    run = values(observation.metadata)
    assert (run["run_days"], run["days_built"], run["days_up_to_date"]) == (3, 3, 0)
    totals = run["run_totals"]
    assert totals.startswith("Run totals over 3 days built (2016-03-01 to 2016-03-03)")
    total_row = totals.splitlines()[-1]
    assert total_row.startswith("| **run total** |")
    header = totals.splitlines()[2].strip("|").split("|")
    column = [name.strip() for name in header].index("push_events")
    total = int(total_row.strip("|").split("|")[column].strip().strip("*"))
    assert total == sum(figures["push_events"] for figures in pushes.values()) > 0
    assert run["run_seconds"] >= max(
        figures["published_after_seconds"] for figures in pushes.values()
    )
    assert all("run_totals" not in figures and figures["rebuilt"] for figures in pushes.values())


def test_checks_are_evaluated_per_day_and_an_empty_day_warns(range_run):
    result, _ = range_run
    evaluations = result.get_asset_check_evaluations()
    days = [day.isoformat() for day in (FULL, EMPTY, DAMAGED)]
    per_day = [e for e in evaluations if e.partition is not None]
    assert Counter((e.asset_key.to_user_string(), e.check_name, e.partition) for e in per_day) == {
        (*key, day): 1 for key in CHECK_KEYS for day in days
    }
    for evaluation in per_day:
        assert evaluation.description.startswith(f"{evaluation.partition}: ")
        assert evaluation.metadata["day"].value == evaluation.partition
    has_the_day = {e.partition: e for e in per_day if e.check_name == "archive_has_the_day"}
    assert {day: e.passed for day, e in has_the_day.items()} == {
        days[0]: True,
        days[1]: False,
        days[2]: True,
    }
    empty = has_the_day[days[1]]
    assert empty.severity == dg.AssetCheckSeverity.WARN
    assert empty.metadata["hours_missing"].value == 24
    assert "all 24 hourly files are missing" in empty.description
    failed = {(e.check_name, e.partition) for e in per_day if not e.passed}
    assert failed == {("archive_has_the_day", days[1])}


def test_a_checks_status_is_about_the_whole_range(range_run, instance):
    """The UI shows a check's latest record: after a range run, one about the run, failed if
    any day failed and naming it (Dagster orders per-day records by partition, not by verdict)."""
    keys = [dg.AssetCheckKey(dg.AssetKey(check.table.name), check.name) for check in CHECKS]
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(keys)
    statuses = {key.name: record.status.value for key, record in latest.items()}
    assert statuses == {
        check.name: "FAILED" if check.name == "archive_has_the_day" else "SUCCEEDED"
        for check in CHECKS
    }
    record = latest[keys[[check.name for check in CHECKS].index("archive_has_the_day")]]
    evaluation = record.event.dagster_event.event_specific_data
    assert record.partition is None and evaluation.severity == dg.AssetCheckSeverity.WARN
    assert evaluation.description.startswith(
        f"Run over 3 days ({FULL} to {DAMAGED}): failed on 1: {EMPTY} ({EMPTY}: all 24 hourly"
    )
    assert evaluation.metadata["failed_days"].value == EMPTY.isoformat()
