"""A long backfill survives a bad day: every other day is recorded, and re-runs redo only what
failed or changed.

A 5-day range on the loopback mirror (a real HTTP server) and the multi-process Dask cluster; one
hour of one day answers 503 to every download (its probe still answers), or to its probe too.
The mirror's request log says what each run downloaded.
"""

import datetime as dt

import dagster as dg
import pytest

from gh_assets.defs.resources import RebuildResource
from gh_assets_tests.harnesses.daily_job import daily_job_for_tests
from gh_assets_tests.harnesses.pipeline import materialize_days
from gh_assets_tests.oracles.expected import expected_rows
from gh_assets_tests.oracles.tables_read import assert_day_matches
from gh_assets_tests.synthetic.days import fake_day, write_fake_days

DAYS = [dt.date(2016, 4, day) for day in range(1, 6)]
BAD = DAYS[2]
BAD_HOUR = f"{BAD}-6.json.gz"
HOURS = [0, 6, 12]
TABLES = ("push_events", "commits", "events")
ATTEMPTS = 4  # the test resources' archive attempts per request
MATERIALIZED = dg.DagsterEventType.ASSET_MATERIALIZATION


def recorded(instance, result, asset: str) -> dict[str, dict]:
    """The metadata of each day `asset` recorded in a run (failed or not), by ISO day."""
    return {
        entry.dagster_event.partition: {
            key: value.value for key, value in entry.dagster_event.materialization.metadata.items()
        }
        for entry in instance.all_logs(result.run_id, of_type=MATERIALIZED)
        if entry.dagster_event.asset_key == dg.AssetKey(asset)
    }


def step_failure_message(instance, result) -> str:
    [failure] = [
        entry.dagster_event.event_specific_data.error.message
        for entry in instance.all_logs(result.run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
    ]
    return failure


def failed_partitions(instance, asset: str) -> set[str]:
    from dagster._core.storage.partition_status_cache import (
        get_and_update_asset_status_cache_value,
    )

    from gh_assets.defs.partitions import daily_partitions

    value = get_and_update_asset_status_cache_value(instance, dg.AssetKey(asset), daily_partitions)
    return set(value.deserialize_failed_partition_subsets(daily_partitions).get_partition_keys())


@pytest.fixture
def fakes(mirror_root):
    return dict(zip(DAYS, write_fake_days(mirror_root, DAYS, hours=HOURS), strict=True))


@pytest.mark.parametrize("probe_fails", [False, True], ids=["downloads-fail", "probe-fails-too"])
def test_a_bad_day_fails_alone_and_the_next_runs_redo_only_it(
    probe_fails, fakes, mirror, address_resources, storage_dir, instance
):
    # every attempt of the download (its probe still answers), or of the probe (so the day is
    # never downloaded)
    mirror.add_faults(BAD_HOUR, *["status_503"] * ATTEMPTS, method="HEAD" if probe_fails else "GET")
    first, last = DAYS[0].isoformat(), DAYS[-1].isoformat()

    failed = materialize_days(address_resources, instance, first, last, raise_on_error=False)
    assert not failed.success
    good = [day.isoformat() for day in DAYS if day != BAD]
    for table in TABLES:
        figures = recorded(instance, failed, table)
        assert sorted(figures) == good, table
        assert all(day_figures["rebuilt"] for day_figures in figures.values())
    pushes = recorded(instance, failed, "push_events")
    for day in DAYS:
        if day != BAD:
            assert_day_matches(storage_dir, day, *expected_rows(fakes[day]))
            want = len(expected_rows(fakes[day])[0])
            assert pushes[day.isoformat()]["dagster/row_count"] == want
    for day, figures in pushes.items():  # each day's own figures
        assert f"date={day}" in figures["path"] and f"on {day}" in figures["top_repos"]
    message = step_failure_message(instance, failed)
    assert f"1 of {len(DAYS)} days failed:\n{BAD}: " in message
    cause = (
        "gharchive_manifest failed for it in this run: ArchiveError"
        if probe_fails
        else ("ArchiveError")
    )
    assert f"{BAD}: {cause}" in message and f"{mirror.url(BAD_HOUR)} failed after" in message
    assert sorted(recorded(instance, failed, "gharchive_manifest")) == (
        good if probe_fails else [day.isoformat() for day in DAYS]
    )
    assert failed_partitions(instance, "push_events") == {BAD.isoformat()}
    assert set(instance.get_materialized_partitions(dg.AssetKey("events"))) == set(good)

    # the fault is gone: the same range downloads only the bad day's hours
    since = len(mirror.requests)
    again = materialize_days(address_resources, instance, first, last)
    assert again.success
    assert mirror.days_asked(since) == {BAD.isoformat()}
    assert mirror.files_sent(since) == sorted(f"{BAD}-{hour}.json.gz" for hour in HOURS)
    pushes = recorded(instance, again, "push_events")
    assert {day: figures["rebuilt"] for day, figures in pushes.items()} == {
        day.isoformat(): day == BAD for day in DAYS
    }
    assert_day_matches(storage_dir, BAD, *expected_rows(fakes[BAD]))
    assert failed_partitions(instance, "push_events") == set()
    assert sorted(recorded(instance, again, "repo_activity")) == [day.isoformat() for day in DAYS]

    # nothing changed: no hour file is downloaded at all, and every day is recorded up to date
    since = len(mirror.requests)
    third = materialize_days(address_resources, instance, first, last)
    assert third.success and mirror.days_asked(since) == set()
    for table in (*TABLES, "repo_activity"):
        figures = recorded(instance, third, table)
        assert len(figures) == len(DAYS) and not any(f["rebuilt"] for f in figures.values())
    carried = [e for e in third.get_asset_check_evaluations() if e.partition]  # not judged again:
    assert {e.partition for e in carried} == {day.isoformat() for day in DAYS}  # the last verdicts
    assert all(e.passed and e.metadata["judged_in_run"].value != third.run_id for e in carried)
    for evaluation in carried:  # each points at the record of its day, this run's (the UI's
        [latest] = instance.fetch_materializations(  # "Target materialization")
            dg.AssetRecordsFilter(evaluation.asset_key, asset_partitions=[evaluation.partition]),
            limit=1,
        ).records
        assert latest.run_id == third.run_id
        assert evaluation.target_materialization_data.storage_id == latest.storage_id
    assert recorded(instance, third, "push_events")[BAD.isoformat()]["dagster/row_count"] == len(
        expected_rows(fakes[BAD])[0]
    )


def test_a_changed_or_deleted_day_is_rebuilt_and_force_rebuilds_all(
    fakes, mirror, mirror_root, address_resources, storage_dir, instance
):
    """A day whose hour appeared late (its manifest changes) or whose file was deleted by hand
    is rebuilt, and only its tables that need it; `force` rebuilds every day."""
    changed, deleted = DAYS[1], DAYS[3]
    full = fake_day(changed, hours=[*HOURS, 9])
    late = full.hours.pop(9)
    full.write(mirror_root)
    first, last = DAYS[0].isoformat(), DAYS[-1].isoformat()
    assert materialize_days(address_resources, instance, first, last).success
    full.hours[9] = late
    full.write(mirror_root)
    (storage_dir / "events" / f"date={deleted}" / "data.parquet").unlink()
    since = len(mirror.requests)
    again = materialize_days(address_resources, instance, first, last)
    assert again.success
    assert mirror.days_asked(since) == {changed.isoformat(), deleted.isoformat()}
    rebuilt = {day: f["rebuilt"] for day, f in recorded(instance, again, "events").items()}
    assert rebuilt == {day.isoformat(): day in (changed, deleted) for day in DAYS}
    assert {day: f["rebuilt"] for day, f in recorded(instance, again, "push_events").items()} == {
        day.isoformat(): day == changed for day in DAYS
    }
    assert_day_matches(storage_dir, changed, *expected_rows(full))
    assert_day_matches(storage_dir, deleted, *expected_rows(fakes[deleted]))

    forced = {**address_resources, "rebuild": RebuildResource(force=True)}
    since = len(mirror.requests)
    rebuilt = materialize_days(forced, instance, first, last)
    assert rebuilt.success
    assert len(mirror.files_sent(since)) == len(DAYS) * len(HOURS) + 1  # and the late hour
    # repo_activity counted again from the whole events day, not grown from its stored counts
    events, activity = (recorded(instance, rebuilt, t) for t in ("events", "repo_activity"))
    counted = {day: f["events_counted"] for day, f in activity.items()}
    assert counted == {day: f["dagster/row_count"] for day, f in events.items()}


def test_re_executing_a_failed_run_from_failure_builds_only_the_failed_day(
    fakes, mirror, dask_processes, storage_dir, instance, monkeypatch
):
    """Dagster's re-execution from failure (as the UI's button and the daemon's retries do):
    the failed step runs again and builds the day that failed; the steps after it, skipped by
    the failed run, build every day."""
    for name, value in {
        "GH_ASSETS_SOURCE_URL": mirror.base_url,
        "GH_ASSETS_STORAGE": str(storage_dir),
        "GH_ASSETS_DASK_ADDRESS": dask_processes.address,
    }.items():
        monkeypatch.setenv(name, value)
    mirror.add_faults(BAD_HOUR, "status_503", "status_503")  # both attempts of the download
    job = dg.reconstructable(daily_job_for_tests)
    tags = {
        "dagster/asset_partition_range_start": DAYS[0].isoformat(),
        "dagster/asset_partition_range_end": DAYS[-1].isoformat(),
    }
    with dg.execute_job(job, instance, tags=tags) as failed:
        assert not failed.success
    since = len(mirror.requests)
    options = dg.ReexecutionOptions.from_failure(failed.run_id, instance)
    # with the parent's partition range, as the UI's re-execution and the daemon's retries give it
    with dg.execute_job(job, instance, tags=tags, reexecution_options=options) as retried:
        assert retried.success
    assert mirror.days_asked(since) == {BAD.isoformat()}
    assert set(instance.get_materialized_partitions(dg.AssetKey("events"))) == {
        day.isoformat() for day in DAYS
    }
    for asset in ("repo_activity", "api_commits"):
        assert len(recorded(instance, retried, asset)) == len(DAYS), asset
    assert_day_matches(storage_dir, BAD, *expected_rows(fakes[BAD]))
