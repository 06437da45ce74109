"""The Dagster webserver alone on a free loopback port, over a module's definitions and an
instance folder, in a process group of its own; a GraphQL client for it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from gh_assets_tests.harnesses.processes import free_port, stop_process_group, wait_for

REPO = Path(__file__).resolve().parents[2]
WEBSERVER = Path(sys.executable).parent / "dagster-webserver"


def graphql(url: str, query: str, **variables: object) -> dict:
    response = requests.post(
        f"{url}/graphql", json={"query": query, "variables": variables}, timeout=60
    )
    response.raise_for_status()
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def code_location_loaded(url: str) -> bool:
    """Whether the webserver's one code location has loaded; fails if it could not."""
    data = graphql(
        url,
        "{ workspaceOrError { ... on Workspace { locationEntries { loadStatus "
        "locationOrLoadError { __typename ... on PythonError { message } } } } } }",
    )
    [entry] = data["workspaceOrError"]["locationEntries"]
    error = entry["locationOrLoadError"] or {}
    if error.get("__typename") == "PythonError":
        raise RuntimeError(f"the code location did not load: {error['message']}")
    return entry["loadStatus"] == "LOADED"


@contextmanager
def dagster_webserver(home: Path, module: str, env: dict[str, str], log: Path) -> Iterator[str]:
    """`dagster-webserver -m module` reading the instance in `home`; yields its URL."""
    port = free_port()
    with log.open("ab") as log_file:
        process = subprocess.Popen(
            [WEBSERVER, "-m", module, "-h", "127.0.0.1", "-p", str(port)],
            cwd=REPO,
            env={**os.environ, "DAGSTER_HOME": str(home), **env},
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(url, process, log), 120, "the webserver's /server_info")
        wait_for(lambda: code_location_loaded(url), 120, "the code location to load")
        yield url
    finally:
        survivors = stop_process_group(process)
        assert not survivors, f"the webserver left processes behind: {survivors}"


def _answers(url: str, process: subprocess.Popen, log: Path) -> bool:
    if process.poll() is not None:
        raise RuntimeError(f"dagster-webserver exited with {process.returncode}; see {log}")
    try:
        return requests.get(f"{url}/server_info", timeout=2).ok
    except requests.ConnectionError:
        return False
