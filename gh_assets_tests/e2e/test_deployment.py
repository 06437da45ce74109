"""The production deployment as it runs: `make serve` (a code server, the webserver and the daemon
as separate processes) over a real PostgreSQL server, the loopback mirror as the archive.

A run's process killed with SIGKILL, alone or with the code server's process that started it,
is found dead, failed and retried by the deployment itself; the backfill ends green and the days
equal the reference. A run that fails for a setting is not retried. Its runs are rows in
PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy

from gh_assets.defs.deployment.postgres import URL_VARIABLE, with_psycopg2
from gh_assets.defs.deployment.run_launcher import SETTLED_SECONDS, run_process
from gh_assets_tests.harnesses.archive_mirror import ArchiveMirror
from gh_assets_tests.harnesses.dagster_dev import REPO, DagsterServer
from gh_assets_tests.harnesses.deployment import (
    code_server_processes,
    deployment_instance,
    make_serve,
)
from gh_assets_tests.harnesses.processes import free_port, wait_for
from gh_assets_tests.oracles.expected import expected_rows
from gh_assets_tests.oracles.tables_read import assert_day_matches
from gh_assets_tests.synthetic.days import write_fake_days

ASSETS = ("gharchive_manifest", "push_events", "commits", "events", "repo_activity")
TABLES = ("push_events", "commits", "events")
HOURS = [0, 6]
KILLED_RUN_DAYS = [dt.date(2016, 5, day) for day in (1, 2, 3)]
KILLED_SERVER_DAYS = [dt.date(2016, 5, day) for day in (11, 12, 13)]
BAD_SETTING_DAY = dt.date(2016, 5, 21)
# run monitoring's poll (15 s), the code server's return and SETTLED_SECONDS, with a margin
FAILED_WITHIN_SECONDS = 15 + 60 + SETTLED_SECONDS + 30


class Deployment:
    def __init__(self, server: DagsterServer, instance: dg.DagsterInstance, url: str, fakes):
        self.server = server
        self.instance = instance
        self.database_url = url
        self.fakes = fakes


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, postgres) -> Iterator[Deployment]:
    folder = tmp_path_factory.mktemp("deployment")
    days = [*KILLED_RUN_DAYS, *KILLED_SERVER_DAYS, BAD_SETTING_DAY]
    fakes = dict(zip(days, write_fake_days(folder / "archive", days, hours=HOURS), strict=True))
    url = postgres.create_database("deployment")
    home = folder / "home"
    with (
        ArchiveMirror(folder / "archive", stall_seconds=90) as mirror,
        make_serve(home, url, mirror, folder / "tables", folder / "serve.log") as server,
        deployment_instance(home, url) as instance,
    ):
        yield Deployment(server, instance, url, fakes)


def materialized(instance: dg.DagsterInstance, table: str) -> set[str]:
    return set(instance.get_materialized_partitions(dg.AssetKey(table)))


def started_run(deployment: Deployment, backfill_id: str) -> str:
    """The backfill's run, once its process has started."""

    def started():
        runs = deployment.server.backfill(backfill_id)["runs"]
        return runs and run_process(deployment.instance, runs[0]["id"]) and runs[0]["id"]

    return wait_for(started, 120, "the backfill's run to start")


def stall_last_day_and_wait_for_the_others(deployment: Deployment, days: list[dt.date]) -> str:
    """Backfill `days` with the last day's first hour stalling; return the run's id once the
    other days are recorded."""
    deployment.server.mirror.add_faults(f"{days[-1]}-0.json.gz", "stall")
    backfill_id = deployment.server.launch_backfill(ASSETS, str(days[0]), str(days[-1]))
    started_run(deployment, backfill_id)
    finished = {day.isoformat() for day in days[:-1]}
    wait_for(
        lambda: all(materialized(deployment.instance, t) >= finished for t in TABLES),
        240,
        "the days before the stalled one to be recorded",
    )
    return backfill_id


def assert_retried_and_right(deployment: Deployment, backfill_id: str, days, asked_since: int):
    backfill = deployment.server.wait_for_backfill(backfill_id, timeout=600)
    runs = {run["id"]: run for run in backfill["runs"]}
    statuses = sorted(run["status"] for run in runs.values())
    assert backfill["status"] == "COMPLETED_SUCCESS", (backfill, deployment.server.log)
    assert statuses == ["FAILURE", "SUCCESS"], backfill
    [retry] = [run for run in runs.values() if run["status"] == "SUCCESS"]
    assert {"key": "dagster/retry_number", "value": "1"} in retry["tags"], retry
    # the retry builds only the day that was not finished
    assert deployment.server.mirror.days_asked(asked_since) == {days[-1].isoformat()}
    for table in TABLES:
        assert materialized(deployment.instance, table) >= {day.isoformat() for day in days}
    for day in days:
        assert_day_matches(deployment.server.storage, day, *expected_rows(deployment.fakes[day]))
    engine = sqlalchemy.create_engine(with_psycopg2(deployment.database_url))
    with engine.connect() as connection:
        rows = connection.execute(
            sqlalchemy.text("SELECT run_id, status FROM runs WHERE run_id = ANY(:ids)"),
            {"ids": list(runs)},
        ).all()
    engine.dispose()
    assert {run_id: status for run_id, status in rows} == {
        run_id: run["status"] for run_id, run in runs.items()
    }


def test_a_run_killed_outright_is_retried_by_the_deployment(deployment: Deployment) -> None:
    """SIGKILL the run's process mid-way: its code server reports it failed, run retries start
    a retry by themselves, and the retry builds only the unfinished day."""
    backfill_id = stall_last_day_and_wait_for_the_others(deployment, KILLED_RUN_DAYS)
    [run] = deployment.server.backfill(backfill_id)["runs"]
    pid, _ = run_process(deployment.instance, run["id"])
    asked_since = len(deployment.server.mirror.requests)
    os.kill(pid, signal.SIGKILL)
    assert_retried_and_right(deployment, backfill_id, KILLED_RUN_DAYS, asked_since)


def test_a_run_killed_with_its_code_server_is_failed_and_retried(deployment: Deployment) -> None:
    """SIGKILL the run's process and its parent, the code server's `dagster api grpc`: the
    deployment brings the code server back, run monitoring fails the run (not CANCELED) within
    the bound, a retry succeeds and the backfill is not failed."""
    backfill_id = stall_last_day_and_wait_for_the_others(deployment, KILLED_SERVER_DAYS)
    [run] = deployment.server.backfill(backfill_id)["runs"]
    pid, _ = run_process(deployment.instance, run["id"])
    proxy, [grpc_server] = code_server_processes(deployment.server)
    assert pid in {child.pid for child in grpc_server.children()}
    asked_since = len(deployment.server.mirror.requests)
    killed_at = time.monotonic()
    for process in (pid, grpc_server.pid):
        os.kill(process, signal.SIGKILL)

    def code_server_back():
        try:
            new_proxy, servers = code_server_processes(deployment.server)
        except ValueError:
            return False
        return new_proxy.pid != proxy.pid and servers and deployment.server.code_location_loaded()

    wait_for(code_server_back, 120, "the code server to come back")
    status = wait_for(
        lambda: (status := deployment.server.run_status(run["id"])) not in {"STARTED"} and status,
        FAILED_WITHIN_SECONDS,
        "run monitoring to end the dead run",
    )
    assert status == "FAILURE", status
    print(f"the dead run ended FAILURE {time.monotonic() - killed_at:.0f} s after the kill")
    assert_retried_and_right(deployment, backfill_id, KILLED_SERVER_DAYS, asked_since)


def test_a_run_failing_for_a_setting_is_not_retried(deployment: Deployment) -> None:
    """A run whose config asks for Coiled while the tables go to a local folder fails before any
    work, tagged not to be retried; no retry run appears."""
    day = BAD_SETTING_DAY.isoformat()
    launched = deployment.server.graphql(
        LAUNCH_RUN,
        params={
            "selector": {
                "repositoryLocationName": "gh_assets",
                "repositoryName": "__repository__",
                "jobName": "__ASSET_JOB",
                "assetSelection": [{"path": [asset]} for asset in ASSETS],
            },
            "runConfigData": {"resources": {"dask": {"config": {"mode": "coiled"}}}},
            "executionMetadata": {"tags": [{"key": "dagster/partition", "value": day}]},
        },
    )["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]
    status = wait_for(
        lambda: (
            (status := deployment.server.run_status(run_id)) in {"SUCCESS", "FAILURE"} and status
        ),
        180,
        "the run to end",
    )
    assert status == "FAILURE"
    time.sleep(15)  # several ticks of the daemon's run retries
    run = deployment.instance.get_run_by_id(run_id)
    assert run.tags.get("dagster/will_retry") == "false", run.tags
    children = deployment.instance.get_runs(dg.RunsFilter(tags={"dagster/parent_run_id": run_id}))
    assert not children


LAUNCH_RUN = """
mutation($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
    ... on RunConfigValidationInvalid { errors { message } }
  }
}
"""


def serve_refuses(env: dict[str, str], home: Path) -> str:
    """The one line `make serve` prints when it refuses to start, before starting anything."""
    completed = subprocess.run(
        ["make", "serve", f"DAGSTER_HOME={home}"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode != 0, completed.stdout
    lines = [line for line in completed.stderr.splitlines() if line.startswith("serve: ")]
    assert len(lines) == 1, completed.stderr
    assert "Traceback" not in completed.stderr
    return lines[0]


@pytest.fixture
def serve_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != URL_VARIABLE and "GH_ASSETS_" not in k}


def test_serve_without_a_database_url_says_which_variable(serve_env, tmp_path) -> None:
    line = serve_refuses(serve_env, REPO / "deploy")
    assert f"set {URL_VARIABLE}" in line, line


def test_serve_with_a_database_that_does_not_answer_says_so(serve_env) -> None:
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/dagster"
    line = serve_refuses({**serve_env, URL_VARIABLE: url}, REPO / "deploy")
    assert "does not answer" in line and URL_VARIABLE in line, line


def test_serve_on_a_database_of_an_older_schema_says_to_migrate(
    serve_env, postgres, tmp_path
) -> None:
    """A database whose schema an older Dagster wrote (its alembic revision set back)."""
    url = postgres.create_database("older")
    with deployment_instance(REPO / "deploy", url):
        pass  # the tables, at today's revision
    engine = sqlalchemy.create_engine(with_psycopg2(url))
    with engine.begin() as connection:
        connection.execute(
            sqlalchemy.text("UPDATE alembic_version SET version_num = '7e2f3204cf8e'")
        )
    engine.dispose()
    line = serve_refuses({**serve_env, URL_VARIABLE: url}, REPO / "deploy")
    assert "dagster instance migrate" in line, line
