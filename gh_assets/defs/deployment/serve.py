"""`make serve`: the deployment on one machine, as separate processes that are kept up.

On the instance of DAGSTER_HOME (`deploy/`, or a folder holding a copy of its dagster.yaml) it
starts the project's code location as a gRPC code server (`dagster code-server start`: reloading
code starts a new server and leaves running runs alone), then the webserver and the daemon, whose
workspace names that server. Every process that exits is started again, and so is a code server
that stops answering: `dagster code-server start` keeps answering health checks of its own when
the `dagster api grpc` process it spawned has died, and never starts it again
(dagster-io/dagster#24050). Runs, children of that process, are left alone when it is replaced.

Before anything starts, the deployment's preconditions are checked, each failing with one line:
the database variable, the settings, a database that answers, and its schema.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from gh_assets.defs.deployment.postgres import URL_VARIABLE, with_psycopg2

LOCATION = "gh_assets"
CHECK_EVERY_SECONDS = 2.0
UNANSWERED_CHECKS = 3  # a code server that fails this many checks in a row is replaced
STARTUP_SECONDS = 180
STOP_SECONDS = 20


class NotServable(RuntimeError):
    """A precondition of the deployment is not met; the message says what to do, in one line."""


def preflight(home: Path) -> None:
    """Check, before any process starts, what the deployment needs."""
    if not (home / "dagster.yaml").is_file():
        raise NotServable(
            f"DAGSTER_HOME={home} has no dagster.yaml: use deploy/, or copy deploy/dagster.yaml "
            "there"
        )
    url = os.environ.get(URL_VARIABLE)
    if not url:
        raise NotServable(
            f"set {URL_VARIABLE} to the instance's database, "
            "e.g. postgresql://dagster@127.0.0.1:5432/dagster (a password: in the URL or ~/.pgpass)"
        )
    from gh_assets.settings import SettingsError, current_settings

    try:
        current_settings()
    except SettingsError as error:
        raise NotServable(str(error)) from None
    _database_answers(url)
    _schema_is_current(home)


def _database_answers(url: str) -> None:
    import sqlalchemy

    engine = sqlalchemy.create_engine(with_psycopg2(url), connect_args={"connect_timeout": 5})
    try:
        with engine.connect():
            pass
    except sqlalchemy.exc.SQLAlchemyError as error:
        reason = str(error.orig or error).strip().splitlines()[0]
        where = engine.url.render_as_string(hide_password=True)
        raise NotServable(
            f"the database of {URL_VARIABLE} ({where}) does not answer: {reason}; "
            f"start it or set {URL_VARIABLE}"
        ) from None
    finally:
        engine.dispose()


def _schema_is_current(home: Path) -> None:
    """A database made by an older Dagster must be migrated first (new ones get tables here)."""
    from dagster import DagsterInstance

    with DagsterInstance.from_config(str(home)) as instance:
        storages = (instance.run_storage, instance.event_log_storage, instance.schedule_storage)
        for storage in storages:
            current, head = storage.alembic_version()
            if current is not None and head is not None and current not in _as_set(head):
                raise NotServable(
                    f"the database of {URL_VARIABLE} holds an older Dagster schema ({current}); "
                    f"run `DAGSTER_HOME={home} dagster instance migrate` once, then start again"
                )


def _as_set(revisions) -> set:
    return set(revisions) if isinstance(revisions, (tuple, list, set)) else {revisions}


@dataclass
class Supervised:
    """One process of the deployment, started again whenever it ends."""

    name: str
    command: list[str]
    env: dict[str, str]
    process: subprocess.Popen | None = None
    unanswered: int = 0
    started: float = 0.0

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, env=self.env)
        self.started = time.monotonic()
        self.unanswered = 0
        say(f"{self.name} started (pid {self.process.pid})")

    def exited(self) -> int | None:
        return self.process.poll() if self.process else None

    def stop(self, *, spawned: str | None = None) -> None:
        """SIGTERM the process (and its children whose command holds `spawned`), SIGKILL what is
        left after the grace period."""
        if self.process is None or self.process.poll() is not None:
            return
        targets = [psutil.Process(self.process.pid)]
        if spawned:
            targets += [
                child
                for child in targets[0].children(recursive=True)
                if spawned in " ".join(command_of(child))
            ]
        for target in targets:
            _signal(target, signal.SIGTERM)
        _, alive = psutil.wait_procs(targets, timeout=STOP_SECONDS)
        for target in alive:
            _signal(target, signal.SIGKILL)
        self.process.wait()


def command_of(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:
        return []


def _signal(process: psutil.Process, sig: int) -> None:
    with contextlib.suppress(psutil.Error):
        process.send_signal(sig)


def code_server_answers(host: str, port: int) -> bool:
    """Whether the code server answers a call that its `dagster api grpc` process must serve
    (a load error of the code counts as an answer: the UI shows it)."""
    from dagster._grpc.client import DagsterGrpcClient

    try:
        DagsterGrpcClient(host=host, port=port).list_repositories()
    except Exception:
        return False
    return True


def free_port(host: str) -> int:
    import socket

    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def say(line: str) -> None:
    print(f"serve: {line}", file=sys.stderr, flush=True)


class Deployment:
    """The code server, the webserver and the daemon, kept up until SIGTERM or SIGINT."""

    def __init__(self, home: Path, host: str, port: int, code_server_port: int, module: str):
        self.code_server_address = (host, code_server_port or free_port(host))
        self.folder = Path(tempfile.mkdtemp(prefix="gh_assets_serve_"))
        workspace = self.folder / "workspace.yaml"
        workspace.write_text(
            "load_from:\n  - grpc_server:\n"
            f"      host: {host}\n      port: {self.code_server_address[1]}\n"
            f"      location_name: {LOCATION}\n"
        )
        env = {**os.environ, "DAGSTER_HOME": str(home)}
        scripts = Path(sys.executable).parent  # the environment's dagster commands
        self.code_server = Supervised(
            "code server",
            [str(scripts / "dagster"), "code-server", "start", "-m", module]
            + ["--location-name", LOCATION, "-h", host, "-p", str(self.code_server_address[1])],
            env,
        )
        self.others = [
            Supervised(
                "webserver",
                [str(scripts / "dagster-webserver"), "-h", host, "-p", str(port)]
                + ["-w", str(workspace)],
                env,
            ),
            # a backfill waits while its code location is away, instead of failing
            Supervised(
                "daemon",
                [str(scripts / "dagster-daemon"), "run", "-w", str(workspace)],
                {**env, "DAGSTER_BACKFILL_RETRY_DEFINITION_CHANGED_ERROR": "1"},
            ),
        ]
        self.stopping = False

    def run(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._stop)
        try:
            self.code_server.start()
            self._wait_for_code_server()
            for process in self.others:
                process.start()
            while not self.stopping:
                time.sleep(CHECK_EVERY_SECONDS)
                if not self.stopping:
                    self._keep_up()
        finally:
            for process in (*self.others, self.code_server):
                process.stop(spawned="api grpc")
            shutil.rmtree(self.folder, ignore_errors=True)

    def _stop(self, signum, frame) -> None:
        say(f"stopping on {signal.Signals(signum).name}")
        self.stopping = True

    def _wait_for_code_server(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not code_server_answers(*self.code_server_address):
            if self.code_server.exited() is not None or time.monotonic() > deadline:
                raise NotServable(
                    f"the code server did not start (exit {self.code_server.exited()}): "
                    "see its output above"
                )
            if self.stopping:
                return
            time.sleep(0.5)
        say(f"code server answers on {':'.join(map(str, self.code_server_address))}")

    def _keep_up(self) -> None:
        for process in (self.code_server, *self.others):
            if (code := process.exited()) is not None:
                say(f"{process.name} exited with {code}: starting it again")
                process.start()
        server = self.code_server
        if time.monotonic() - server.started < STARTUP_SECONDS / 6:
            return  # still loading the code
        if code_server_answers(*self.code_server_address):
            server.unanswered = 0
            return
        server.unanswered += 1
        if server.unanswered >= UNANSWERED_CHECKS:
            say(f"code server stopped answering ({server.unanswered} checks): starting it again")
            server.stop(spawned="api grpc")
            server.start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make serve", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3000, help="the webserver's")
    parser.add_argument("--code-server-port", type=int, default=0, help="0: a free port")
    parser.add_argument("--module", default="gh_assets.definitions", help="the code location's")
    options = parser.parse_args(argv)
    home = Path(os.environ.get("DAGSTER_HOME") or "deploy").resolve()
    try:
        preflight(home)
        Deployment(home, options.host, options.port, options.code_server_port, options.module).run()
    except NotServable as error:
        say(str(error))
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
