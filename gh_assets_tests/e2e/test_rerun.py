"""What a long backfill keeps and what it redoes, as a user runs it: a CLI run killed outright
(SIGKILL) keeps its finished days; a change of code version shows the days stale in the UI
(the webserver's GraphQL) and the next run rebuilds them, and only them.

The archive is the loopback mirror; the CLI and the webserver are separate processes over one
instance folder, as a deployment runs them.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from gh_assets.defs.resources import DaskResource
from gh_assets_tests.harnesses.archive_mirror import ArchiveMirror
from gh_assets_tests.harnesses.pipeline import ASSETS, materialize_days, pipeline_resources
from gh_assets_tests.harnesses.processes import process_group, wait_for
from gh_assets_tests.harnesses.versioned_definitions import CHANGE_VARIABLE, changed_code
from gh_assets_tests.harnesses.webserver import dagster_webserver, graphql
from gh_assets_tests.oracles.expected import expected_rows
from gh_assets_tests.oracles.tables_read import assert_day_matches
from gh_assets_tests.synthetic.days import write_fake_days

DG = Path(sys.executable).parent / "dg"
PROJECT = Path(__file__).resolve().parents[2]
DAYS = [dt.date(2016, 4, day) for day in (1, 2, 3)]
HOURS = [0, 6]
TABLES = ("push_events", "commits", "events")


@pytest.fixture
def home(tmp_path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    (folder / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return folder


@pytest.fixture
def home_instance(home):
    with dg.DagsterInstance.from_config(str(home)) as instance:
        yield instance


def materialized(instance: dg.DagsterInstance, asset: str) -> set[str]:
    return set(instance.get_materialized_partitions(dg.AssetKey(asset)))


def test_a_run_killed_outright_keeps_the_days_it_finished(
    mirror_root, tmp_path, home, home_instance, dask_processes
):
    """The last day's first hour stalls; once the other days are recorded, the CLI's process
    group is killed with SIGKILL. Those days stay materialized, their files whole; the next run
    downloads only the unfinished day."""
    fakes = dict(zip(DAYS, write_fake_days(mirror_root, DAYS, hours=HOURS), strict=True))
    storage = tmp_path / "tables"
    finished = {day.isoformat() for day in DAYS[:2]}
    with ArchiveMirror(mirror_root, stall_seconds=120) as mirror:
        mirror.add_faults(f"{DAYS[2]}-0.json.gz", "stall")
        env = {
            **os.environ,
            "DAGSTER_HOME": str(home),
            "GH_ASSETS_SOURCE_URL": mirror.base_url,
            "GH_ASSETS_STORAGE": str(storage),
            "GH_ASSETS_DASK_MODE": "local",
        }
        with (tmp_path / "cli.log").open("wb") as log:
            process = subprocess.Popen(
                [
                    DG,
                    "launch",
                    "-m",
                    "gh_assets.definitions",
                    "--assets",
                    "gharchive_manifest*",
                    "--partition-range",
                    f"{DAYS[0]}...{DAYS[-1]}",
                ],
                cwd=PROJECT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_for(
                lambda: (
                    process.poll() is not None
                    or all(materialized(home_instance, t) >= finished for t in TABLES)
                ),
                240,
                "the first two days to be recorded",
            )
            assert process.poll() is None, (tmp_path / "cli.log").read_text()[-3000:]
        finally:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        wait_for(lambda: not process_group(process.pid), 30, "the killed group to end")
        assert process.returncode == -signal.SIGKILL
        for table in TABLES:
            assert materialized(home_instance, table) == finished, table
        for day in DAYS[:2]:
            assert_day_matches(storage, day, *expected_rows(fakes[day]))

        since = len(mirror.requests)
        dask = DaskResource(mode="address", address=dask_processes.address)
        result = materialize_days(
            pipeline_resources(mirror, storage, dask), home_instance, *whole_range()
        )
        assert result.success
        assert mirror.days_asked(since) == {DAYS[2].isoformat()}
        for day in DAYS:
            assert_day_matches(storage, day, *expected_rows(fakes[day]))


def whole_range() -> tuple[str, str]:
    """The test's days, as a range run's first and last partition."""
    return DAYS[0].isoformat(), DAYS[-1].isoformat()


STALENESS = """
query($asset: [String!]!, $days: [String!]!) {
  assetNodeOrError(assetKey: {path: $asset}) {
    __typename
    ... on AssetNode { staleStatusByPartition(partitions: $days) }
  }
}
"""


def stale_statuses(url: str, asset: str) -> list[str]:
    days = [day.isoformat() for day in DAYS]
    data = graphql(url, STALENESS, asset=[asset], days=days)
    node = data["assetNodeOrError"]
    assert node["__typename"] == "AssetNode", node
    return node["staleStatusByPartition"]


def test_a_new_code_version_shows_the_days_stale_and_the_next_run_rebuilds_them(
    mirror, mirror_root, tmp_path, home, home_instance, dask_processes
):
    write_fake_days(mirror_root, DAYS, hours=HOURS)
    storage = tmp_path / "tables"
    dask = DaskResource(mode="address", address=dask_processes.address)
    resources = pipeline_resources(mirror, storage, dask)
    assert materialize_days(resources, home_instance, *whole_range()).success
    new_code = dg.map_asset_specs(changed_code(".1"), ASSETS)
    env = {
        CHANGE_VARIABLE: ".1",
        "GH_ASSETS_SOURCE_URL": mirror.base_url,
        "GH_ASSETS_STORAGE": str(storage),
    }
    with dagster_webserver(
        home, "gh_assets_tests.harnesses.versioned_definitions", env, tmp_path / "web.log"
    ) as url:
        for table in (*TABLES, "repo_activity"):
            assert stale_statuses(url, table) == ["STALE"] * len(DAYS), table
        assert stale_statuses(url, "gharchive_manifest") == ["STALE"] * len(DAYS)

        since = len(mirror.requests)
        changed = materialize_days(resources, home_instance, *whole_range(), assets=new_code)
        assert changed.success
        assert len(mirror.files_sent(since)) == len(DAYS) * len(HOURS)
        for table in (*TABLES, "repo_activity", "gharchive_manifest"):
            assert stale_statuses(url, table) == ["FRESH"] * len(DAYS), table

    since = len(mirror.requests)
    again = materialize_days(resources, home_instance, *whole_range(), assets=new_code)
    assert again.success and mirror.days_asked(since) == set()


def test_two_runs_that_overlap_on_a_day_both_write_it_whole(
    mirror, mirror_root, tmp_path, home, home_instance, dask_processes
):
    """Two CLI runs at once over ranges sharing a day, on one instance and one storage: both
    succeed, and every day holds exactly its rows, the shared one included."""
    days = [*DAYS, dt.date(2016, 4, 4)]
    fakes = dict(zip(days, write_fake_days(mirror_root, days, hours=HOURS), strict=True))
    storage = tmp_path / "tables"
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "GH_ASSETS_SOURCE_URL": mirror.base_url,
        "GH_ASSETS_STORAGE": str(storage),
        "GH_ASSETS_DASK_MODE": "address",
        "GH_ASSETS_DASK_ADDRESS": dask_processes.address,
    }
    ranges = [f"{days[0]}...{days[2]}", f"{days[2]}...{days[3]}"]
    processes = [
        subprocess.Popen(
            [
                DG,
                "launch",
                "-m",
                "gh_assets.definitions",
                "--assets",
                "gharchive_manifest*",
                "--partition-range",
                partition_range,
            ],
            cwd=PROJECT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for partition_range in ranges
    ]
    outputs = [process.communicate(timeout=300)[0] for process in processes]
    for process, output in zip(processes, outputs, strict=True):
        assert process.returncode == 0, output[-3000:]
    for day in days:
        assert_day_matches(storage, day, *expected_rows(fakes[day]))
    shared = days[2].isoformat()
    records = home_instance.fetch_materializations(
        dg.AssetRecordsFilter(dg.AssetKey("events"), asset_partitions=[shared]), limit=10
    ).records
    versions = {r.asset_materialization.tags["dagster/data_version"] for r in records}
    assert len(records) == 2 and len(versions) == 1
