"""One line, without a traceback, for the mistakes a user makes on Dagster's command line.

A setting that cannot work (`SettingsError`, raised while the code location loads) and a day
outside the archive's partitions (`--partition 2015-13-01`) end `dagster asset materialize` as
uncaught exceptions: 45 to 70 lines of traceback, the second without the valid days. `install`
makes Python print the one line instead (the exit status stays 1); any other exception keeps its
traceback. Processes that catch their errors (the webserver shows a load error on the code
location) are not affected.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence

from dagster._core.errors import DagsterInvalidSubsetError, DagsterUnknownPartitionError

from gh_assets.defs.partitions import daily_partitions
from gh_assets.settings import SettingsError

PARTITION_OPTIONS = ("--partition", "--partition-range")


def one_line(error: BaseException, argv: Sequence[str]) -> str | None:
    """The line for `error`, if it is a user's mistake."""
    if isinstance(error, SettingsError):
        return str(error)
    if isinstance(error, DagsterInvalidSubsetError) and isinstance(
        error.__context__, DagsterUnknownPartitionError
    ):
        quoted = re.search(r"`([^`]*)`", str(error))
        asked = _asked_days(argv) or (quoted.group(1) if quoted else "the day given")
        first = daily_partitions.get_first_partition_key()
        last = daily_partitions.get_last_partition_key()
        what = f"the range {asked} has days" if "..." in asked else f"{asked} is not a day"
        return (
            f"{what} outside the archive's days: give days as YYYY-MM-DD from {first} to "
            f"{last} (UTC, today included), e.g. --partition {last} or --partition-range "
            f"{first}...{last}"
        )
    return None


def _asked_days(argv: Sequence[str]) -> str | None:
    """The value of --partition or --partition-range in `argv`."""
    for index, argument in enumerate(argv):
        name, equals, value = argument.partition("=")
        if name in PARTITION_OPTIONS:
            if equals:
                return value
            if index + 1 < len(argv):
                return argv[index + 1]
    return None


def install() -> None:
    """Print `one_line` for a user's mistake that ends this process, instead of a traceback."""
    previous = sys.excepthook

    def hook(kind, error, traceback) -> None:
        line = one_line(error, sys.argv)
        if line is None:
            previous(kind, error, traceback)
        else:
            print(f"gh_assets: {line}", file=sys.stderr)

    sys.excepthook = hook
