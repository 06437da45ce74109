"""The must-show command: `dagster asset materialize --select api_commits` against a fake GitHub.

The day's push_events are made by the pipeline itself from the generated archive day (loopback
mirror, multi-process Dask cluster) into the storage and Dagster instance the CLI then uses.
"""

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import dagster as dg
import duckdb

from gh_assets.defs.resources import DaskResource
from gh_assets_tests.harnesses.fake_github import FakeGitHub
from gh_assets_tests.harnesses.pipeline import materialize_days, pipeline_resources
from gh_assets_tests.oracles.expected import expected_rows
from gh_assets_tests.oracles.tables_read import read_day
from gh_assets_tests.synthetic.github_day import DAY, api_day

DAGSTER = Path(sys.executable).parent / "dagster"
PROJECT = Path(__file__).resolve().parents[2]
TOKEN = "ghp_E2E0fake0token0c0ffee0must0never0be0seen"
KEY = DAY.isoformat()


def files_holding(text: str, *folders: Path) -> list[str]:
    """Every file under the folders whose bytes contain `text` (databases and logs included)."""
    needle = text.encode()
    return [
        str(path)
        for folder in folders
        for path in folder.rglob("*")
        if path.is_file() and needle in path.read_bytes()
    ]


def readme_union_query(storage: Path) -> str:
    """The README's DuckDB query that unions `commits` with `api_commits`, on `storage`."""
    readme = (PROJECT / "README.md").read_text()
    [block] = [b for b in readme.split("```sql")[1:] if "UNION ALL BY NAME" in b]
    return block.split("```")[0].replace("'data/", f"'{storage}/")


def test_cli_writes_the_commits_github_lists_and_leaves_no_token_behind(
    mirror, mirror_root, dask_processes, tmp_path, monkeypatch
):
    scenario = api_day()
    scenario.archive.write(mirror_root)
    storage, home = tmp_path / "tables", tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    cluster = DaskResource(mode="address", address=dask_processes.address)
    with dg.DagsterInstance.get() as instance:
        setup = materialize_days(pipeline_resources(mirror, storage, cluster), instance, KEY)
        assert setup.success

    with FakeGitHub(TOKEN) as github:
        scenario.serve(github)
        env = {
            "GH_ASSETS_STORAGE": str(storage),
            "GH_ASSETS_API_COMMITS_REPOS": "acme/*",
            "GITHUB_TOKEN": TOKEN,
            "GH_ASSETS_GITHUB_API_URL": github.base_url,
        }
        completed = subprocess.run(
            [DAGSTER, "asset", "materialize", "-m", "gh_assets.definitions"]
            + ["--select", "api_commits", "--partition", KEY],
            cwd=PROJECT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=300,
        )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-5000:]

    def key(row: dict) -> tuple:
        return row["event_id"], row["commit_index"]

    written = read_day(storage, "api_commits", DAY)
    assert sorted(written, key=key) == sorted(scenario.expected_rows(), key=key)
    assert github.faults_left() == {} and github.violations == []
    assert "Asset check 'every_push_answered_or_counted' on 'api_commits' passed" in output
    assert "Asset check 'no_push_left_to_retry' on 'api_commits' passed" in output

    union = duckdb.sql(readme_union_query(storage)).fetchall()
    archive_commits = expected_rows(scenario.archive)[1]
    assert archive_commits, "the day also has a push that lists its commits"
    assert {(repo, source): n for repo, source, n in union} == Counter(
        (row["repo"], "api") for row in written
    ) + Counter((row["repo"], "archive") for row in archive_commits)

    assert TOKEN not in output
    assert files_holding(TOKEN, storage, home) == []
    with dg.DagsterInstance.get() as instance:
        [run] = instance.get_runs(limit=1)  # the newest: the CLI's
        assert run.run_id != setup.run_id and run.is_success
        events = instance.all_logs(run.run_id)
        assert len(events) > 10 and not [event for event in events if TOKEN in str(event)]
