"""What a code location or a run does not use, it does not import (each import is CPU and seconds
in every process that makes it: the code location, each run, each sensor tick)."""

from __future__ import annotations

import subprocess
import sys

import pytest


def modules_after(code: str) -> set[str]:
    """The top-level modules a fresh interpreter has imported after running `code`."""
    listing = "import sys; print(' '.join({name.split('.')[0] for name in sys.modules}))"
    script = f"{code}\n{listing}"
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    return set(run.stdout.split())


def test_the_code_location_imports_neither_distributed_coiled_nor_pandas():
    loaded = modules_after("import gh_assets.definitions")
    assert {"dagster", "pyarrow"} <= loaded
    assert not {"distributed", "coiled", "pandas"} & loaded


CHOICE = """
from gh_assets.defs.resources import DaskResource
from gh_assets.tables.storage import Storage
choice = DaskResource(mode="auto", coiled_threshold=7).choose({days}, Storage("/tmp/tables"))
assert choice.mode == "local", choice
"""


@pytest.mark.parametrize(("days", "imports_coiled"), [(7, False), (8, True)])
def test_coiled_is_imported_only_when_the_run_could_use_it(days, imports_coiled):
    """At most `coiled_threshold` days, `auto` never uses Coiled: its token is not looked up."""
    assert ("coiled" in modules_after(CHOICE.format(days=days))) == imports_coiled


DAY_STEPS = """
import datetime as dt, pathlib, tempfile
from gh_assets.compute.hour_transform import transform_stream
from gh_assets.compute.repo_activity import recount_events, repo_activity_table
from gh_assets.github.api_day import api_commits_table
from gh_assets.github.push_answers import ApiCommit, ListlessPush, PushAnswer, PushOutcome
from gh_assets.tables.catalogue import EVENTS
from gh_assets.tables.storage import Storage
from gh_assets_tests.gharchive_samples import REAL_HOUR, SAMPLES_DIR
storage, day = Storage(tempfile.mkdtemp()), dt.date(2015, 1, 1)
path = storage.day_file(EVENTS.name, day)
storage.make_parent(path)
with open(path, "wb") as sink, open(pathlib.Path(SAMPLES_DIR) / REAL_HOUR, "rb") as hour:
    transform_stream(hour, REAL_HOUR, {EVENTS.name: sink})
assert repo_activity_table(storage, day).num_rows and recount_events(storage, day)["events"]
created = dt.datetime(2025, 11, 1, tzinfo=dt.UTC)
push = ListlessPush("1", 2, created, "ana", "acme/widgets", "refs/heads/main", "b", "a", "f")
answer = PushAnswer("push", (ApiCommit("b", "Ana", "x@example.com", "fix"),))
commits = api_commits_table([PushOutcome(push, answer)])
assert commits["created_at"].cast("int64").to_pylist() == [int(created.timestamp()) * 10**6]
"""


def test_the_day_steps_in_the_dagster_process_import_no_pandas():
    """repo_activity, its recount and the api_commits table run in the run's own process."""
    loaded = modules_after(DAY_STEPS)
    assert {"duckdb", "pyarrow"} <= loaded
    assert "pandas" not in loaded


HOUR_WITHOUT_PUSHES = """
import gzip, io
from gh_assets.compute.hour_transform import transform_stream
lines = [b'{"id": "1", "type": "WatchEvent", "actor": {"id": 1, "login": "a"}, '
         b'"repo": {"id": 2, "name": "a/b"}, "payload": {}, "public": true, '
         b'"created_at": "2015-01-01T00:00:00Z"}', b"\\x00" * 64, b"{not json"]
hour = io.BytesIO(gzip.compress(b"\\n".join(lines) + b"\\n"))
sinks = {name: io.BytesIO() for name in ("push_events", "commits", "events")}
summary = transform_stream(hour, "2015-01-01-0.json.gz", sinks)
assert all(sink.getvalue() for sink in sinks.values()), summary
"""


def test_a_damaged_hour_without_pushes_imports_no_pandas():
    """Its empty push and commit parts are built without pyarrow's `Schema.empty_table`."""
    assert "pandas" not in modules_after(HOUR_WITHOUT_PUSHES)
