"""A throwaway PostgreSQL server on loopback: Debian's binaries, `initdb` in a temporary folder.

It runs as the `postgres` user (the server refuses root) when the tests run as root, trusts
connections from 127.0.0.1 (no password: the URL a user is given, without a secret), and is
stopped by process group. `.ci/install-system-packages.sh` installs PostgreSQL.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from gh_assets_tests.harnesses.processes import free_port, stop_process_group, wait_for

SERVER_USER = "postgres"


def postgres_binaries() -> Path | None:
    """The folder of the newest installed PostgreSQL's binaries, if any."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    return versions[-1].parent if versions else None


@dataclass
class PostgresServer:
    process: subprocess.Popen
    port: int
    folder: Path
    log: Path

    def url(self, database: str) -> str:
        return f"postgresql://{SERVER_USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new empty database; its plain URL."""
        bin_dir = postgres_binaries()
        _as_server_user(
            [str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), name], check=True
        )
        return self.url(name)

    def stop(self) -> None:
        stop_process_group(self.process, grace_seconds=20)
        shutil.rmtree(self.folder, ignore_errors=True)


def start_postgres(folder: Path) -> PostgresServer:
    bin_dir = postgres_binaries()
    assert bin_dir, "PostgreSQL is not installed"
    data = folder / "data"
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        user = pwd.getpwnam(SERVER_USER)
        for path in (folder, *folder.parents):
            if path == Path("/"):
                break
            path.chmod(path.stat().st_mode | 0o011)  # the server user may pass through
        os.chown(folder, user.pw_uid, user.pw_gid)
    _as_server_user(
        [str(bin_dir / "initdb"), "-D", str(data), "-U", SERVER_USER, "--auth=trust", "-E", "UTF8"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    port = free_port()
    log = folder / "postgres.log"
    with log.open("wb") as log_file:
        process = _as_server_user(
            [str(bin_dir / "postgres"), "-D", str(data), "-p", str(port)]
            + ["-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={folder}"]
            + ["-c", "fsync=off", "-c", "max_connections=200"],
            wait=False,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    server = PostgresServer(process, port, folder, log)
    ready = [str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)]
    wait_for(lambda: subprocess.run(ready, capture_output=True).returncode == 0, 60, "postgres")
    return server


def _as_server_user(command: list[str], *, wait: bool = True, **kwargs):
    if os.geteuid() == 0:
        command = ["runuser", "-u", SERVER_USER, "--", *command]
    if wait:
        return subprocess.run(command, **kwargs)
    return subprocess.Popen(command, start_new_session=True, **kwargs)
