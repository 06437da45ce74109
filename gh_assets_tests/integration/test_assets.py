"""The assets end to end: real HTTP mirror, real multi-process Dask cluster, Parquet read back."""

import datetime as dt
import os

import dagster as dg
import psutil
import pytest

from gh_assets.defs.assets import archive_tables
from gh_assets.defs.resources import DaskResource, RebuildResource
from gh_assets_tests.gharchive_samples import (
    FIRST_100,
    MIXED_SMALL,
    REAL_HOUR,
    install_sample,
    sample_lines,
)
from gh_assets_tests.harnesses.pipeline import (
    ASSETS,
    materialize_days,
    metadata_of,
    pipeline_resources,
)
from gh_assets_tests.oracles.expected import expected_accounting, expected_rows
from gh_assets_tests.oracles.gharchive_reference import reference_rows
from gh_assets_tests.oracles.tables_read import assert_day_matches, read_day
from gh_assets_tests.synthetic.days import fake_damaged_day, fake_day, write_fake_days


def materialize(resources: dict, instance, first: str, last: str | None = None):
    return materialize_days(resources, instance, first, last, raise_on_error=False)


def assert_accounting(pushes: dict, accounting) -> None:
    """The push_events metadata of a one-day run against the day's expected accounting."""
    for figure in (
        "push_events",
        "commits",
        "duplicates_dropped",
        "pushes_without_commit_list",
        "objects_recovered",
        "fragments_skipped",
        "nul_runs",
    ):
        assert pushes[figure] == getattr(accounting, figure), figure
    assert pushes["dagster/row_count"] == accounting.push_events


def built_day(fake, mirror_root, storage_dir, resources, instance):
    """Materialize a generated day: its tables and push accounting must be the expected ones."""
    fake.write(mirror_root)
    result = materialize(resources, instance, fake.day.isoformat())
    assert result.success
    assert_day_matches(storage_dir, fake.day, *expected_rows(fake))
    accounting = expected_accounting(fake)
    pushes = metadata_of(result, "push_events")
    assert_accounting(pushes, accounting)
    return result, pushes, accounting


@pytest.mark.parametrize(
    ("day", "eras"),
    [
        pytest.param(dt.date(2011, 6, 1), None, id="2011-format"),
        pytest.param(dt.date(2013, 6, 1), None, id="timeline"),
        pytest.param(dt.date(2016, 6, 1), None, id="events-api"),
        pytest.param(dt.date(2025, 10, 7), ("events", "slim"), id="both-shapes-at-the-change"),
        pytest.param(dt.date(2025, 11, 1), None, id="no-commit-lists"),
    ],
)
def test_each_format_gives_exactly_the_expected_rows(
    day, eras, mirror_root, storage_dir, address_resources, instance
):
    fake = fake_day(day, eras=eras, hours=[0, 1, 5, 23])
    result, pushes, accounting = built_day(
        fake, mirror_root, storage_dir, address_resources, instance
    )
    assert pushes["hours_missing"] == 20 and pushes["files_read"] == 4
    assert metadata_of(result, "commits")["dagster/row_count"] == accounting.commits
    assert metadata_of(result, "gharchive_manifest")["files_present"] == 4


def test_damaged_day_keeps_what_is_readable_and_counts_the_rest(
    mirror_root, storage_dir, address_resources, instance
):
    day = dt.date(2017, 11, 8)
    fake = fake_damaged_day(day)
    del fake.hours[7]  # a body that stays not gzip fails its hour: see test_archive
    _, pushes, accounting = built_day(fake, mirror_root, storage_dir, address_resources, instance)
    assert pushes["damaged_hours"] == len(set(accounting.damaged_hours) - {7})
    assert pushes["hours_missing"] == 3


def test_an_unreadable_hour_is_skipped_counted_and_checked_when_asked(
    mirror, mirror_root, storage_dir, dask_processes, instance
):
    """GH_ASSETS_UNREADABLE_FILES=skip: hour 7 stays an XML page; the day is built without it."""
    day = dt.date(2017, 11, 9)
    fake = fake_damaged_day(day)
    dask = DaskResource(mode="address", address=dask_processes.address)
    resources = pipeline_resources(mirror, storage_dir, dask, unreadable_files="skip")
    result, pushes, accounting = built_day(fake, mirror_root, storage_dir, resources, instance)
    assert (pushes["unreadable_files"], pushes["files_read"], pushes["hours_missing"]) == (1, 21, 2)
    assert pushes["damaged_hours"] == len(accounting.damaged_hours)
    checks = [
        evaluation
        for evaluation in result.get_asset_check_evaluations()
        if evaluation.check_name == "all_published_hours_read"
    ]
    assert {check.asset_key.to_user_string() for check in checks} == {"push_events", "events"}
    for check in checks:
        assert not check.passed
        assert check.metadata["first_unread"].value == f"{day}-7.json.gz"


def test_real_hours_match_an_independent_reader(
    mirror_root, storage_dir, address_resources, instance
):
    install_sample(REAL_HOUR, mirror_root)
    install_sample(MIXED_SMALL, mirror_root, "2015-01-01-7.json.gz")
    install_sample(FIRST_100, mirror_root, "2015-01-01-12.json.gz")
    result = materialize(address_resources, instance, "2015-01-01")
    assert result.success
    expected_pushes, expected_commits = [], []
    seen = set()
    for sample, name in [
        (REAL_HOUR, "2015-01-01-1.json.gz"),
        (MIXED_SMALL, "2015-01-01-7.json.gz"),
        (FIRST_100, "2015-01-01-12.json.gz"),
    ]:
        pushes, commits = reference_rows(sample_lines(sample), name)
        fresh = [row for row in pushes if row["event_id"] is None or row["event_id"] not in seen]
        seen |= {row["event_id"] for row in pushes}
        expected_pushes += fresh
        kept = {row["event_id"] for row in fresh}
        expected_commits += [row for row in commits if row["event_id"] in kept]
    assert_day_matches(storage_dir, dt.date(2015, 1, 1), expected_pushes, expected_commits)
    assert len(read_day(storage_dir, "commits", dt.date(2015, 1, 1))) >= 7642


def test_rerun_replaces_the_day_with_the_same_tables(
    mirror_root, storage_dir, address_resources, instance
):
    day = dt.date(2016, 2, 3)
    fake_day(day, hours=[0, 1, 2]).write(mirror_root)
    assert materialize(address_resources, instance, day.isoformat()).success
    first = read_day(storage_dir, "commits", day), read_day(storage_dir, "push_events", day)
    assert materialize(address_resources, instance, day.isoformat()).success
    assert (read_day(storage_dir, "commits", day), read_day(storage_dir, "push_events", day)) == (
        first
    )
    for table in ("push_events", "commits", "gharchive_manifest"):
        assert os.listdir(storage_dir / table / f"date={day}") == ["data.parquet"]
    assert not any((storage_dir / "_staging").iterdir())


def test_staged_parts_of_a_killed_run_go_with_the_next_run(
    mirror_root, storage_dir, address_resources, instance
):
    """Parts staged by a finished run of this instance go; those of a run it does not know stay."""
    day = dt.date(2016, 2, 4)
    fake_day(day, hours=[0]).write(mirror_root)
    killed = materialize(address_resources, instance, day.isoformat())
    assert killed.success
    left_behind = {
        "killed": f"{killed.run_id}.0badf00d",
        "unknown": "5a1e7e8e-0000-4000-8000-000000000000.0badf00d",
    }
    for token in left_behind.values():
        part = (
            storage_dir
            / "_staging"
            / token
            / f"date={day}"
            / "push_events"
            / "2016-02-04-0.parquet"
        )
        part.parent.mkdir(parents=True)
        part.write_bytes(b"staged")
    assert materialize(address_resources, instance, day.isoformat()).success
    assert os.listdir(storage_dir / "_staging") == [left_behind["unknown"]]


def test_a_range_of_days_is_one_run_on_the_worker_processes(
    mirror_root, storage_dir, address_resources, instance, dask_processes
):
    days = [dt.date(2016, 3, day) for day in (1, 2, 3)]
    fakes = write_fake_days(mirror_root, days, hours=[3, 4])
    result = materialize(address_resources, instance, "2016-03-01", "2016-03-03")
    assert result.success
    for fake in fakes:
        assert_day_matches(storage_dir, fake.day, *expected_rows(fake))
    metadata = metadata_of(result, "push_events")
    assert metadata["dask_mode"] == "address" and metadata["dask_workers_at_start"] == 2
    rows = metadata["worker_processes"].split("\n")[2:]  # a Markdown table: host:pid | files
    pids = {int(row.split("|")[1].strip().split(":")[1]) for row in rows}
    worker_process = dask_processes.worker_processes[0].pid
    assert os.getpid() not in pids
    assert all(worker_process in {p.pid for p in psutil.Process(pid).parents()} for pid in pids)


def test_checks_pass_on_a_good_day_and_flag_an_hour_gone_since_the_manifest(
    mirror_root, address_resources, instance
):
    day = dt.date(2016, 9, 9)
    fake_day(day, hours=[0, 1, 2]).write(mirror_root)
    result = materialize(address_resources, instance, day.isoformat())
    evaluations = {
        (e.asset_key.to_user_string(), e.check_name): e.passed
        for e in result.get_asset_check_evaluations()
    }
    per_table = ("all_published_hours_read", "damage_accounted_for", "no_duplicate_event_ids")
    assert evaluations == {
        **{(table, name): True for table in ("push_events", "events") for name in per_table},
        ("push_events", "every_created_at_parses"): True,
        ("push_events", "archive_has_the_day"): True,
        ("events", "every_created_at_parses"): True,
        ("commits", "rows_match_commit_counts"): True,
        ("repo_activity", "matches_a_recount_of_events"): True,
    }
    (mirror_root / "2016-09-09-1.json.gz").unlink()
    again = dg.materialize(  # forced: by its manifest the day is up to date, nothing to read
        ASSETS,
        selection=[archive_tables],
        partition_key=day.isoformat(),
        resources={**address_resources, "rebuild": RebuildResource(force=True)},
        instance=instance,
    )
    unread = [
        e for e in again.get_asset_check_evaluations() if e.check_name == "all_published_hours_read"
    ]
    assert {e.asset_key.to_user_string() for e in unread} == {"push_events", "events"}
    for evaluation in unread:
        assert not evaluation.passed
        assert evaluation.metadata["first_unread"].value == "2016-09-09-1.json.gz"
