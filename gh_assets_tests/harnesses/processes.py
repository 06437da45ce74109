"""Processes the tests start, each leading a process group of its own: ports, waiting, stopping."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check: Callable[[], T], timeout: float, what: str, every: float = 1.0) -> T:
    """Call `check` until it returns something truthy, and return that."""
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:.0f}s")
        time.sleep(every)
    return result


def process_group(pgid: int) -> list[str]:
    """The live (not zombie) processes of a process group, as `pid command` lines."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(f"{stat.parent.name} {command[:120]}")
    return members


def stop_process_group(process: subprocess.Popen, grace_seconds: float = 15) -> list[str]:
    """SIGTERM the group `process` leads, SIGKILL it if anything is left after the grace period.

    Returns what survived both (empty when the whole group ended).
    """
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            wait_for(lambda: not process_group(process.pid), grace_seconds, "stop", every=0.1)
            break
        except TimeoutError:
            continue
    process.wait(timeout=10)
    return process_group(process.pid)
