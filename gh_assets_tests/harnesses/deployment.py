"""`make serve` as a script starts it (code server, webserver and daemon over PostgreSQL), in a
process group of its own, on a copy of deploy/dagster.yaml; the instance it writes to."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import psutil

from gh_assets.defs.deployment.postgres import URL_VARIABLE
from gh_assets.defs.deployment.serve import command_of
from gh_assets.tables.storage import Storage
from gh_assets_tests.harnesses.archive_mirror import ArchiveMirror
from gh_assets_tests.harnesses.dagster_dev import REPO, DagsterServer, server_answers
from gh_assets_tests.harnesses.processes import free_port, process_group, wait_for


@contextmanager
def make_serve(
    home: Path,
    database_url: str,
    mirror: ArchiveMirror,
    storage: Path | Storage,
    log: Path,
    settings: dict[str, str] | None = None,
    module: str = "gh_assets.definitions",
) -> Iterator[DagsterServer]:
    """`make serve` of `module` on free loopback ports with DAGSTER_HOME=`home` (a copy of the
    deploy/ instance), reading `mirror`, writing tables to `storage`, with a local cluster or the
    `settings` given (variables); stopped by SIGTERM to its group."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "deploy" / "dagster.yaml", home / "dagster.yaml")
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("GH_ASSETS_")}
    env |= {
        URL_VARIABLE: database_url,
        "GH_ASSETS_SOURCE_URL": mirror.base_url,
        "GH_ASSETS_STORAGE": storage.url if isinstance(storage, Storage) else str(storage),
        "GH_ASSETS_DASK_MODE": "local",
        "PYTHONUNBUFFERED": "1",
        **(settings or {}),
    }
    with log.open("ab") as log_file:
        process = subprocess.Popen(
            ["make", "serve", f"DEV_PORT={port}", f"DAGSTER_HOME={home}", f"SERVE_MODULE={module}"],
            cwd=REPO,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    served = DagsterServer(f"http://127.0.0.1:{port}", home, storage, log, mirror, process.pid, env)
    try:
        wait_for(lambda: server_answers(served, process), 180, "make serve's webserver")
        wait_for(served.code_location_loaded, 120, "the gh_assets code location to load")
        yield served
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            wait_for(lambda: not process_group(process.pid), 60, "stop", every=0.5)
            ignored = []
        except TimeoutError:
            ignored = process_group(process.pid)
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        assert not ignored, f"make serve did not stop on SIGTERM: {ignored}"


@contextmanager
def deployment_instance(home: Path, database_url: str) -> Iterator[dg.DagsterInstance]:
    """The deployment's instance (PostgreSQL), as its processes open it."""
    previous = os.environ.get(URL_VARIABLE)
    os.environ[URL_VARIABLE] = database_url
    try:
        with dg.DagsterInstance.from_config(str(home)) as instance:
            yield instance
    finally:
        if previous is None:
            del os.environ[URL_VARIABLE]
        else:
            os.environ[URL_VARIABLE] = previous


def code_server_processes(served: DagsterServer) -> tuple[psutil.Process, list[psutil.Process]]:
    """The `dagster code-server start` process of a deployment, and the `dagster api grpc`
    processes it spawned."""
    group = [p for p in psutil.process_iter(["cmdline"]) if _in_group(p, served.pgid)]
    [proxy] = [p for p in group if "code-server" in " ".join(p.info["cmdline"] or ())]
    servers = [c for c in proxy.children() if "api grpc" in " ".join(command_of(c))]
    return proxy, servers


def _in_group(process: psutil.Process, pgid: int) -> bool:
    try:
        return os.getpgid(process.pid) == pgid
    except ProcessLookupError:
        return False
