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
