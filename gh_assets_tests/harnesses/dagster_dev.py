"""`make dev` as a script starts it, in a process group of its own; a GraphQL client for it."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from gh_assets.tables.storage import Storage
from gh_assets_tests.harnesses.archive_mirror import ArchiveMirror
from gh_assets_tests.harnesses.processes import (
    free_port,
    process_group,
    stop_process_group,
    wait_for,
)
from gh_assets_tests.harnesses.webserver import code_location_loaded

REPO = Path(__file__).resolve().parents[2]
RUN_DONE = {"SUCCESS", "FAILURE", "CANCELED"}
BACKFILL_BUSY = {"REQUESTED", "CANCELING", "FAILING"}
LAUNCH_BACKFILL = (
    "mutation($p: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $p) "
    "{ __typename ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message } } }"
)

START_SENSOR = (
    "mutation($selector: SensorSelector!) { startSensor(sensorSelector: $selector) "
    "{ __typename ... on PythonError { message } ... on UnauthorizedError { message } } }"
)

SET_SENSOR_CURSOR = (
    "mutation($selector: SensorSelector!, $cursor: String) { setSensorCursor(sensorSelector: "
    "$selector, cursor: $cursor) { __typename ... on PythonError { message } } }"
)


@dataclass
class DagsterServer:
    """A running `make dev` (or `make serve`), its instance, and where its runs write tables."""

    url: str
    home: Path
    storage: Path | Storage
    log: Path
    mirror: ArchiveMirror
    pgid: int
    env: dict[str, str]

    def graphql(self, query: str, **variables: object) -> dict:
        response = requests.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables}, timeout=30
        )
        response.raise_for_status()
        return response.json()["data"]

    def code_location_loaded(self) -> bool:
        return code_location_loaded(self.url)

    def run_status(self, run_id: str) -> str:
        data = self.graphql(
            "query($runId: ID!) { runOrError(runId: $runId) { ... on Run { status } } }",
            runId=run_id,
        )
        return data["runOrError"]["status"]

    def run_errors(self, run_id: str) -> list[str]:
        data = self.graphql(
            "query($runId: ID!) { runOrError(runId: $runId) { ... on Run { eventConnection("
            "limit: 1000) { events { ... on MessageEvent { message level } } } } } }",
            runId=run_id,
        )
        events = data["runOrError"]["eventConnection"]["events"]
        return [event["message"] for event in events if event.get("level") == "ERROR"]

    def backfill(self, backfill_id: str) -> dict:
        data = self.graphql(
            "query($id: String!) { partitionBackfillOrError(backfillId: $id) { ... on "
            "PartitionBackfill { status runs(limit: 10) { id status tags { key value } } } } }",
            id=backfill_id,
        )
        return data["partitionBackfillOrError"]

    def launch_backfill(self, assets: Iterable[str], start: str, end: str) -> str:
        """The README's `launchPartitionBackfill` call over `assets` for the days from `start`
        to `end`; the backfill's id."""
        days = {"range": {"start": start, "end": end}}
        params = {
            "partitionsByAssets": [
                {"assetKey": {"path": [asset]}, "partitions": days} for asset in assets
            ]
        }
        result = self.graphql(LAUNCH_BACKFILL, p=params)["launchPartitionBackfill"]
        assert result["__typename"] == "LaunchBackfillSuccess", result
        return result["backfillId"]

    def start_sensor(self, name: str, cursor: str | None = None) -> None:
        """Turn the sensor on, as its toggle in the UI does; first set its cursor, if given, as
        the sensor page's *Set cursor value* does."""
        selector = {
            "repositoryLocationName": self.location_name(),
            "repositoryName": "__repository__",
            "sensorName": name,
        }
        if cursor is not None:
            set_cursor = self.graphql(SET_SENSOR_CURSOR, selector=selector, cursor=cursor)
            assert set_cursor["setSensorCursor"]["__typename"] == "Sensor", set_cursor
        started = self.graphql(START_SENSOR, selector=selector)["startSensor"]
        assert started["__typename"] == "Sensor", started

    def location_name(self) -> str:
        """The code location's name: `gh_assets` under `make serve`, the module's under `make
        dev` (its workspace.yaml names none)."""
        data = self.graphql(
            "{ workspaceOrError { ... on Workspace { locationEntries { name } } } }"
        )
        [entry] = data["workspaceOrError"]["locationEntries"]
        return entry["name"]

    def runs_of_day(self, day: str) -> list[dict]:
        """The runs of a day's partition: id, status and run key, the newest first."""
        data = self.graphql(
            'query($day: String!) { runsOrError(filter: {tags: [{key: "dagster/partition", '
            "value: $day}]}) { ... on Runs { results { runId status tags { key value } } } } }",
            day=day,
        )
        return [
            {
                "id": run["runId"],
                "status": run["status"],
                "run_key": {t["key"]: t["value"] for t in run["tags"]}.get("dagster/run_key"),
            }
            for run in data["runsOrError"]["results"]
        ]

    def wait_for_backfill(self, backfill_id: str, timeout: float = 300) -> dict:
        """The backfill once it has ended."""
        return wait_for(
            lambda: (state := self.backfill(backfill_id))["status"] not in BACKFILL_BUSY and state,
            timeout,
            f"backfill {backfill_id} to finish",
        )

    def wait_for_run(self, run_id: str, timeout: float = 300) -> None:
        status = wait_for(
            lambda: (status := self.run_status(run_id)) in RUN_DONE and status,
            timeout,
            f"run {run_id} to finish",
        )
        assert status == "SUCCESS", f"run {run_id} ended {status}: {self.run_errors(run_id)}"


@contextmanager
def dagster_dev(
    home: Path, storage: Path, mirror: ArchiveMirror, log: Path
) -> Iterator[DagsterServer]:
    """`make dev` on a free loopback port, reading `mirror`, writing tables to `storage`, its
    output in `log`.

    It starts as a background job of a script does, with SIGINT ignored, and must stop on SIGTERM
    to its process group, as the README says; anything left behind fails the caller."""
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\nnux:\n  enabled: false\n")
    port = free_port()
    with log.open("wb") as log_file:
        env = {key: value for key, value in os.environ.items() if not key.startswith("GH_ASSETS_")}
        env |= {
            "GH_ASSETS_SOURCE_URL": mirror.base_url,
            "GH_ASSETS_STORAGE": str(storage),
            "GH_ASSETS_DASK_MODE": "local",
            "PYTHONUNBUFFERED": "1",
        }
        process = subprocess.Popen(
            ["make", "dev", f"DEV_PORT={port}", f"DAGSTER_HOME={home}"],
            cwd=REPO,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
        )
        dev = DagsterServer(
            f"http://127.0.0.1:{port}", home, storage, log, mirror, process.pid, env
        )
        try:
            wait_for(lambda: server_answers(dev, process), 180, "make dev /server_info")
            wait_for(dev.code_location_loaded, 120, "the gh_assets code location to load")
            yield dev
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                wait_for(lambda: not process_group(process.pid), 60, "stop", every=0.5)
                ignored = []
            except TimeoutError:
                ignored = process_group(process.pid)
            survivors = stop_process_group(process, grace_seconds=30)
            assert not ignored, f"make dev did not stop on SIGTERM: {ignored}"
            assert not survivors, f"make dev left processes behind: {survivors}"


def server_answers(dev: DagsterServer, process: subprocess.Popen) -> bool:
    """Whether the webserver answers; fails at once if the command that serves it has exited."""
    if process.poll() is not None:
        raise RuntimeError(f"{process.args} exited with {process.returncode}; see {dev.log}")
    try:
        return requests.get(f"{dev.url}/server_info", timeout=2).ok
    except requests.ConnectionError:
        return False
