"""What the README's set-up says holds: its two commands, what `make test` installs, what CI runs,
and the assets it lists."""

import re
import subprocess
from pathlib import Path

from gh_assets.definitions import defs

PROJECT = Path(__file__).resolve().parents[2]
README = (PROJECT / "README.md").read_text()


def test_the_two_set_up_commands_are_make_dev_and_make_test():
    setup = README.split("## Set-up: two commands", 1)[1].split("```bash", 1)[1].split("```")[0]
    assert [line.split("#")[0].strip() for line in setup.strip().splitlines()] == [
        "make dev",
        "make test",
    ]


def test_make_test_installs_the_system_packages_before_the_suite_and_ci_calls_it():
    planned = subprocess.run(
        ["make", "-n", "test"], cwd=PROJECT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    installs = next(i for i, line in enumerate(planned) if "install-system-packages.sh" in line)
    runs = next(i for i, line in enumerate(planned) if line.endswith("pytest"))
    assert installs < runs
    ci = (PROJECT / ".ci" / "run").read_text().splitlines()
    assert [line.split("#")[0].strip() for line in ci if line.startswith("make ")] == ["make test"]


def test_the_asset_table_lists_every_asset_of_the_definitions():
    listed = re.findall(r"^\| `(\w+)` \|", README.split("## Set-up", 1)[0], re.MULTILINE)
    keys = [key.to_user_string() for asset in defs.assets for key in asset.keys]
    assert sorted(listed) == sorted(keys)
