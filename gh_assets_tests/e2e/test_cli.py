"""The CLI as the README shows it (`dg launch`): a subprocess against the loopback mirror."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from gh_assets.tables.storage import Storage
from gh_assets_tests.harnesses.fake_coiled import RECORD_ENV, read_record
from gh_assets_tests.oracles.events_oracle import assert_events_and_activity, oracle_rows_of_fake
from gh_assets_tests.oracles.expected import expected_rows
from gh_assets_tests.oracles.tables_read import assert_day_matches
from gh_assets_tests.synthetic.days import fake_damaged_day, write_fake_days

DG = Path(sys.executable).parent / "dg"
PROJECT = Path(__file__).resolve().parents[2]


def launch(
    module: str, partition_args: list[str], env: dict, home: Path
) -> subprocess.CompletedProcess:
    """`dg launch` of every table over the days of `partition_args`, on the instance `home`."""
    home.mkdir(exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return subprocess.run(
        [DG, "launch", "-m", module, "--assets", "gharchive_manifest*", *partition_args],
        cwd=PROJECT,
        env={**os.environ, "DAGSTER_HOME": str(home), **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def run_cli(module: str, partition_args: list[str], env: dict, home: Path) -> str:
    completed = launch(module, partition_args, env, home)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-5000:]
    assert "Traceback" not in output, output  # a clean run prints none (retries: one line each)
    return output


@pytest.mark.parametrize(
    "day",
    [dt.date(2011, 9, 4), dt.date(2014, 3, 9), dt.date(2021, 9, 11), dt.date(2025, 11, 2)],
    ids=["2011-format", "timeline", "events-api", "post-2025"],
)
def test_cli_materializes_a_damaged_day_of_each_format(day, mirror, mirror_root, tmp_path):
    """Every table, `events` and `repo_activity` included, against the independent readings."""
    fake = fake_damaged_day(day, seed=day.year)
    del fake.hours[7]  # a body that stays not gzip fails its hour (see test_archive)
    fake.write(mirror_root)
    storage = tmp_path / "tables"
    env = {
        "GH_ASSETS_SOURCE_URL": mirror.base_url,
        "GH_ASSETS_STORAGE": str(storage),
        "GH_ASSETS_DASK_MODE": "local",
    }
    output = run_cli("gh_assets.definitions", ["--partition", day.isoformat()], env, tmp_path / "h")
    assert "RUN_SUCCESS" in output
    assert_day_matches(storage, day, *expected_rows(fake))
    assert_events_and_activity(storage, day, oracle_rows_of_fake(fake))


@pytest.mark.parametrize(
    ("partition_args", "expected_mode"),
    [
        (["--partition-range", "2016-05-01...2016-05-03"], "coiled"),
        (["--partition", "2016-05-02"], "local"),
    ],
    ids=["3-day-range-takes-coiled", "1-day-stays-local"],
)
def test_auto_mode_chooses_the_cluster_by_days_in_the_run(
    partition_args, expected_mode, mirror, mirror_root, s3_url, s3_env, tmp_path
):
    """Coiled's cloud is out of reach: `fake_coiled` stands in for `coiled.Cluster` only.

    Storage is a real S3 server, as a Coiled cluster needs.
    """
    days = [dt.date(2016, 5, day) for day in (1, 2, 3)]
    fakes = dict(zip(days, write_fake_days(mirror_root, days, hours=[0, 6, 12]), strict=True))
    record = tmp_path / "coiled.jsonl"
    env = {
        **s3_env,
        "GH_ASSETS_SOURCE_URL": mirror.base_url,
        "GH_ASSETS_STORAGE": s3_url,
        "GH_ASSETS_DASK_MODE": "auto",
        "GH_ASSETS_COILED_THRESHOLD": "2",
        "DASK_COILED__TOKEN": "fake-coiled-token-for-tests",
        RECORD_ENV: str(record),
    }
    output = run_cli(
        "gh_assets_tests.harnesses.coiled_definitions", partition_args, env, tmp_path / "h"
    )
    assert f"Dask cluster: {expected_mode}" in output
    storage = Storage(s3_url, endpoint_url=s3_env["GH_ASSETS_S3_ENDPOINT_URL"])
    run_days = days if expected_mode == "coiled" else [dt.date(2016, 5, 2)]
    for day in days:
        written = storage.fs.exists(storage.day_file("commits", day))
        assert written == (day in run_days)
        if written:
            assert_day_matches(storage, day, *expected_rows(fakes[day]))
    events = read_record(record)
    if expected_mode == "local":
        assert events == []
        return
    created, started, closed = events
    kwargs = created["kwargs"]
    assert (
        kwargs["n_workers"],
        kwargs["spot_policy"],
        kwargs["idle_timeout"],
        kwargs["no_client_timeout"],
    ) == (2, "spot_with_fallback", "20 minutes", "2 minutes")
    assert "workspace" not in kwargs  # unset: Coiled's default workspace
    assert (created["shipped_coiled_token"], created["connection_has_token"]) == (None, True)
    assert kwargs["name"] == f"gh-assets-{kwargs['tags']['dagster-run-id']}"
    assert kwargs["shutdown_on_close"] is True
    assert closed == {"event": "closed", "name": kwargs["name"]}
    assert not [pid for pid in started["worker_pids"] if psutil.pid_exists(pid)]
    assert started["dashboard"].startswith("http://127.0.0.1:")


def summary_lines(completed: subprocess.CompletedProcess) -> list[str]:
    """What the output ends with: the run's days, a line each (and the verdict, if any)."""
    lines = completed.stderr.rstrip("\n").splitlines()
    start = lines.index("gh_assets: the run's days")
    return lines[start + 1 :]


@pytest.mark.parametrize("unreadable_files", ["fail", "skip"])
def test_a_cli_run_ends_with_its_days_and_fails_on_a_failed_error_check(
    unreadable_files, mirror, mirror_root, tmp_path
):
    """Hour 7 of the day stays an XML page. With GH_ASSETS_UNREADABLE_FILES=skip the day is built
    without it and its ERROR check fails: the run succeeds, the output says which check failed
    (a warning as it happens, then in the summary) and the exit status is 1. Without the hour
    (the archive never had it), the day is clean and the exit status 0."""
    day = dt.date(2017, 11, 9)
    fake = fake_damaged_day(day)
    if unreadable_files == "fail":
        del fake.hours[7]
    fake.write(mirror_root)
    env = {
        "GH_ASSETS_SOURCE_URL": mirror.base_url,
        "GH_ASSETS_STORAGE": str(tmp_path / "tables"),
        "GH_ASSETS_DASK_MODE": "local",
        "GH_ASSETS_UNREADABLE_FILES": unreadable_files,
    }
    completed = launch(
        "gh_assets.definitions", ["--partition", day.isoformat()], env, tmp_path / "h"
    )
    output = completed.stdout + completed.stderr
    assert "RUN_SUCCESS" in output, output[-5000:]
    pushes, commits = expected_rows(fake)
    [line, *verdict] = summary_lines(completed)
    assert line.startswith(f"  {day}: push_events {len(pushes):,}, commits {len(commits):,}, ")
    assert "repo_activity" in line and "; hours missing " in line
    if unreadable_files == "skip":
        failed = "push_events.all_published_hours_read (error)"
        assert line.endswith(f"checks failed: {failed}, events.all_published_hours_read (error)")
        assert verdict == ["gh_assets: 2 check(s) of ERROR severity failed: exit status 1"]
        assert "check all_published_hours_read of push_events failed (ERROR)" in output
        assert completed.returncode == 1
    else:
        assert line.endswith("checks failed: none") and not verdict
        assert completed.returncode == 0, output[-5000:]
