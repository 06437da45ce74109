"""What the deployment's run launcher tells run monitoring of a run: its process found by pid,
and a dead one failed once its code server is settled, or at the latest after the bound."""

import os
import subprocess
import sys
import time

import psutil
import pytest
from dagster._core.launcher import WorkerStatus

from gh_assets.defs.deployment.run_launcher import SETTLED_SECONDS, dead_run_health, process_lives
from gh_assets_tests.harnesses.processes import wait_for


@pytest.mark.parametrize(
    ("gone_for", "answering_for", "status"),
    [
        (0, 0, WorkerStatus.RUNNING),  # its code server is away: a retry now would fail
        (60, SETTLED_SECONDS - 1, WorkerStatus.RUNNING),
        (60, SETTLED_SECONDS, WorkerStatus.FAILED),
        (179, 0, WorkerStatus.RUNNING),
        (180, 0, WorkerStatus.FAILED),  # the code server never came back: not STARTED forever
    ],
)
def test_a_dead_run_fails_once_its_code_server_is_settled_or_at_the_bound(
    gone_for, answering_for, status
):
    health = dead_run_health(4242, gone_for, answering_for, bound=180)
    assert health.status == status, health.msg
    assert "4242" in health.msg


def test_a_process_lives_until_it_is_killed_and_its_pid_reused_is_not_it():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    started = time.time()
    try:
        assert process_lives(child.pid, started)
        assert not process_lives(child.pid, started - 60)  # a process that started later
    finally:
        child.kill()
    zombie = psutil.Process(child.pid)
    wait_for(lambda: zombie.status() == psutil.STATUS_ZOMBIE, 10, "the killed child to end")
    assert not process_lives(child.pid, started)  # a zombie until waited for
    child.wait()
    assert not process_lives(child.pid, started)
    assert process_lives(os.getpid(), time.time())
