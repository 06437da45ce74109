"""A user's mistakes on the command line, as the README's `dg launch` shows them: one line that
says what is allowed, no traceback, a failing exit status; in the UI, the same line as the code
location's load error."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from gh_assets_tests.harnesses.processes import free_port, stop_process_group, wait_for
from gh_assets_tests.harnesses.webserver import graphql

BIN = Path(sys.executable).parent
PROJECT = Path(__file__).resolve().parents[2]
TODAY = dt.datetime.now(dt.UTC).date()
TOMORROW = TODAY + dt.timedelta(days=1)
BAD_SETTING = {"GH_ASSETS_DASK_MODE": "everywhere"}
SETTING_LINE = "GH_ASSETS_DASK_MODE='everywhere': Input should be 'auto', 'local', 'coiled' or"


def launch_fails(arguments: list[str], env: dict[str, str], home: Path) -> str:
    """The one line `dg launch` prints when it refuses, before any run."""
    home.mkdir(exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    completed = subprocess.run(
        [BIN / "dg", "launch", "-m", "gh_assets.definitions", "--assets", "gharchive_manifest*"]
        + arguments,
        cwd=PROJECT,
        env={**os.environ, "DAGSTER_HOME": str(home), **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode != 0, completed.stdout
    assert "Traceback" not in completed.stderr, completed.stderr
    lines = [line for line in completed.stderr.splitlines() if line.startswith("gh_assets: ")]
    assert len(lines) == 1, completed.stderr
    assert "RUN_START" not in completed.stdout + completed.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (["--partition", "2015-13-01"], "2015-13-01 is not a day"),
        (["--partition", "2011-02-11"], "2011-02-11 is not a day"),
        (["--partition", TOMORROW.isoformat()], f"{TOMORROW} is not a day"),  # today is one
        (["--partition-range", "2015-01-01...2099-01-01"], "the range 2015-01-01...2099-01-01"),
        (["--partition-range=2010-12-31...2015-01-01"], "the range 2010-12-31...2015-01-01"),
    ],
    ids=["no-such-month", "before-the-archive", "tomorrow", "range-ending-later", "range-before"],
)
def test_a_bad_day_is_one_line_naming_the_days_there_are(arguments, named, tmp_path):
    line = launch_fails(arguments, {}, tmp_path / "home")
    assert named in line, line
    assert f"from 2011-02-12 to {TODAY}" in line, line


def test_a_bad_setting_is_one_line_naming_what_is_allowed(tmp_path):
    line = launch_fails(["--partition", "2015-01-01"], BAD_SETTING, tmp_path / "home")
    assert SETTING_LINE in line, line


def test_the_ui_shows_a_bad_setting_as_the_code_locations_load_error(tmp_path):
    """The webserver starts; its code location shows the setting's line as its error."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    process = subprocess.Popen(
        [BIN / "dagster-webserver", "-m", "gh_assets.definitions", "-h", "127.0.0.1"]
        + ["-p", str(port)],
        cwd=PROJECT,
        env={**os.environ, "DAGSTER_HOME": str(tmp_path), **BAD_SETTING},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for(lambda: _load_error(url, process), 120, "the code location's load error")
        assert SETTING_LINE in _load_error(url, process)
    finally:
        stop_process_group(process)


def _load_error(url: str, process: subprocess.Popen) -> str | None:
    """The code location's load error as the UI shows it: Dagster's message, then its causes."""
    assert process.poll() is None, f"the webserver exited with {process.returncode}"
    try:
        data = graphql(
            url,
            "{ workspaceOrError { ... on Workspace { locationEntries { locationOrLoadError { "
            "__typename ... on PythonError { message causes { message } } } } } } }",
        )
    except requests.ConnectionError:
        return None
    [entry] = data["workspaceOrError"]["locationEntries"]
    error = entry["locationOrLoadError"] or {}
    if "message" not in error:
        return None
    return "\n".join([error["message"], *(cause["message"] for cause in error["causes"])])
