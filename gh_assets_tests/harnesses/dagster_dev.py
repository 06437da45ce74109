"""`dagster dev` as `make dev` runs it, in a process group of its own; a GraphQL client for it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from gh_assets_tests.harnesses.archive_mirror import ArchiveMirror
from gh_assets_tests.harnesses.processes import free_port, stop_process_group, wait_for

REPO = Path(__file__).resolve().parents[2]
RUN_DONE = {"SUCCESS", "FAILURE", "CANCELED"}


@dataclass
class DagsterDev:
    """A running `dagster dev` and the folder its runs write tables to."""

    url: str
    storage: Path
    log: Path
    mirror: ArchiveMirror
    pgid: int

    def graphql(self, query: str, **variables: object) -> dict:
        response = requests.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables}, timeout=30
        )
        response.raise_for_status()
        return response.json()["data"]

    def code_location_loaded(self) -> bool:
        data = self.graphql(
            "{ workspaceOrError { ... on Workspace { locationEntries { loadStatus "
            "locationOrLoadError { __typename ... on PythonError { message } } } } } }"
        )
        [entry] = data["workspaceOrError"]["locationEntries"]
        error = entry["locationOrLoadError"] or {}
        if error.get("__typename") == "PythonError":
            raise RuntimeError(f"gh_assets.definitions did not load: {error['message']}")
        return entry["loadStatus"] == "LOADED"

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
) -> Iterator[DagsterDev]:
    """`dagster dev -w workspace.yaml` on a free loopback port, reading `mirror`, writing tables
    to `storage`, its output in `log`; its whole process group is stopped at the end, and anything
    left behind fails the caller."""
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\nnux:\n  enabled: false\n")
    port = free_port()
    with log.open("wb") as log_file:
        env = {key: value for key, value in os.environ.items() if not key.startswith("GH_ASSETS_")}
        env |= {
            "DAGSTER_HOME": str(home),
            "GH_ASSETS_SOURCE_URL": mirror.base_url,
            "GH_ASSETS_STORAGE": str(storage),
            "GH_ASSETS_DASK_MODE": "local",
            "PYTHONUNBUFFERED": "1",
        }
        command = [Path(sys.executable).with_name("dagster"), "dev", "-w", "workspace.yaml"]
        process = subprocess.Popen(
            [*command, "-h", "127.0.0.1", "-p", str(port)],
            cwd=REPO,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        dev = DagsterDev(f"http://127.0.0.1:{port}", storage, log, mirror, process.pid)
        try:
            wait_for(lambda: _server_answers(dev, process), 120, "dagster dev /server_info")
            wait_for(dev.code_location_loaded, 120, "the gh_assets code location to load")
            yield dev
        finally:
            survivors = stop_process_group(process, grace_seconds=30)
            assert not survivors, f"dagster dev left processes behind: {survivors}"


def _server_answers(dev: DagsterDev, process: subprocess.Popen) -> bool:
    """Whether the webserver answers; fails at once if `dagster dev` has exited."""
    if process.poll() is not None:
        raise RuntimeError(f"dagster dev exited with {process.returncode}; see {dev.log}")
    try:
        return requests.get(f"{dev.url}/server_info", timeout=2).ok
    except requests.ConnectionError:
        return False
