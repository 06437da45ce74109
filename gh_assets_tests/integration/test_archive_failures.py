"""An archive that fails: its retries are warnings in the Dagster event log while the run works,
and a run that gives up says what to do instead of showing the retries' stack.

The archive is the loopback mirror answering 503, or a loopback port nobody listens on; the
downloads run on the multi-process Dask cluster, so their warnings come from worker processes.
"""

import datetime as dt
import logging
import socket

import dagster as dg

from gh_assets.defs.resources import DaskResource
from gh_assets.defs.resources.archive import WHAT_TO_DO
from gh_assets_tests.harnesses.pipeline import materialize_days, pipeline_resources
from gh_assets_tests.synthetic.days import fake_day

DAY = dt.date(2016, 5, 1)
HOUR_0 = f"{DAY}-0.json.gz"
TRANSFORM = "archive_tables"


def run_log(instance: dg.DagsterInstance, run_id: str) -> list:
    return instance.all_logs(run_id)


def warnings_before(entries: list, event_type: dg.DagsterEventType, step: str) -> list[str]:
    """The warning messages logged before the first event of `event_type` in `step`."""
    end = next(
        i
        for i, e in enumerate(entries)
        if e.dagster_event_type == event_type and e.step_key == step
    )
    return [e.user_message for e in entries[:end] if e.level == logging.WARNING]


def step_failure(entries: list):
    [failure] = [
        e.dagster_event for e in entries if e.dagster_event_type == dg.DagsterEventType.STEP_FAILURE
    ]
    return failure.event_specific_data


def test_download_retries_on_the_workers_are_warnings_in_the_event_log(
    mirror, mirror_root, address_resources, instance
):
    fake_day(DAY, hours=[0]).write(mirror_root)
    mirror.add_faults(HOUR_0, "status_503", "status_503")
    result = materialize_days(address_resources, instance, DAY.isoformat())
    assert result.success
    warned = warnings_before(
        run_log(instance, result.run_id), dg.DagsterEventType.ASSET_MATERIALIZATION, TRANSFORM
    )
    retries = [m for m in warned if HOUR_0 in m and "HTTP 503" in m]
    assert [m.split(" (attempt ")[1][:6] for m in retries] == ["1 of 4", "2 of 4"]
    assert all("(Dask worker tcp://127.0.0.1:" in m for m in retries)


def test_an_archive_that_does_not_answer_fails_the_day_saying_what_to_do(
    storage_dir, dask_processes, instance
):
    """The manifest's probes fail after their retries: the manifest logs the day's failure and
    lets the run go on (other days would be built), and the tables' step fails the day, saying
    what to do, with no download tried."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        nobody = f"http://127.0.0.1:{closed.getsockname()[1]}"
    dask = DaskResource(mode="address", address=dask_processes.address)
    resources = pipeline_resources(nobody, storage_dir, dask)
    result = materialize_days(resources, instance, DAY.isoformat(), raise_on_error=False)
    assert not result.success
    entries = run_log(instance, result.run_id)
    warned = warnings_before(entries, dg.DagsterEventType.STEP_FAILURE, TRANSFORM)
    assert any("(attempt 1 of 4), retrying" in message for message in warned), warned
    assert not any("Dask cluster:" in (e.user_message or "") for e in entries)
    failure = step_failure(entries)
    assert failure.user_failure_data.metadata["source_url"].value == nobody
    message = failure.error.message
    assert f"{DAY}: gharchive_manifest failed for it in this run: ArchiveError: " in message
    assert "failed after 4 attempts" in message and WHAT_TO_DO in message
    assert failure.error.cause is None  # no chained trace of the retries
    assert not any("gh_assets/archive" in frame for frame in failure.error.stack)


def test_a_download_that_keeps_failing_fails_the_run_saying_what_to_do(
    mirror, mirror_root, address_resources, instance
):
    fake_day(DAY, hours=[0, 1]).write(mirror_root)
    mirror.add_faults(HOUR_0, *["status_503"] * 4)
    result = materialize_days(address_resources, instance, DAY.isoformat(), raise_on_error=False)
    assert not result.success
    entries = run_log(instance, result.run_id)
    assert (
        len(
            [
                m
                for m in warnings_before(entries, dg.DagsterEventType.STEP_FAILURE, TRANSFORM)
                if HOUR_0 in m
            ]
        )
        == 3
    )
    failure = step_failure(entries)
    message = failure.error.message
    assert f"{DAY}: ArchiveError: {mirror.url(HOUR_0)} failed after 4 attempts" in message
    assert WHAT_TO_DO in message and failure.error.cause is None


def test_a_run_where_more_than_the_archive_failed_is_not_told_to_try_again_later(
    mirror, mirror_root, address_resources, storage_dir, instance
):
    """One day's archive answers 503; the other day cannot be written (a file stands where its
    folder goes): the failure names both causes and keeps its trace."""
    other = DAY + dt.timedelta(days=1)
    for day in (DAY, other):
        fake_day(day, hours=[0]).write(mirror_root)
    mirror.add_faults(HOUR_0, *["status_503"] * 4)
    (storage_dir / "push_events").mkdir(parents=True)
    (storage_dir / "push_events" / f"date={other}").write_text("in the way")
    result = materialize_days(
        address_resources, instance, DAY.isoformat(), other.isoformat(), raise_on_error=False
    )
    error = step_failure(run_log(instance, result.run_id)).error
    assert WHAT_TO_DO not in error.to_string()
    failed = error.cause  # the step's error wraps the run's own, trace and all
    assert failed.cls_name == "DaysFailed" and failed.stack
    assert f"{DAY}: ArchiveError: {mirror.url(HOUR_0)} failed after 4 attempts" in failed.message
    assert f"{other}: FileExistsError" in failed.message


def test_retries_on_threads_of_the_run_process_are_warned_once_each(
    mirror, mirror_root, storage_dir, instance
):
    """A local run of yesterday's first hour works on threads of its own process: the core's
    records reach the step's log there, and are not forwarded a second time as a worker's."""
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    hour_0 = f"{yesterday}-0.json.gz"
    fake_day(yesterday, hours=[0]).write(mirror_root)
    mirror.add_faults(hour_0, "status_503", "status_503")
    resources = pipeline_resources(mirror, storage_dir, DaskResource(mode="local"))
    result = materialize_days(resources, instance, yesterday.isoformat())
    assert result.success
    warned = warnings_before(
        run_log(instance, result.run_id), dg.DagsterEventType.ASSET_MATERIALIZATION, TRANSFORM
    )
    retries = [m for m in warned if hour_0 in m and "HTTP 503" in m]
    assert [m.split(" (attempt ")[1][:6] for m in retries] == ["1 of 4", "2 of 4"]
    assert not any("(Dask worker" in m for m in retries)
