"""The daily (UTC) partitions of the archive, and how a backfill over them is split into runs."""

import datetime as dt
from collections.abc import Sequence

import dagster as dg

from gh_assets.archive.names import FIRST_DAY

daily_partitions = dg.DailyPartitionsDefinition(start_date=FIRST_DAY.isoformat(), timezone="UTC")


class EmptyPartitionRange(ValueError):
    """A run that covers no day, such as a range whose end comes before its start."""


def run_days(partition_keys: Sequence[str]) -> list[dt.date]:
    """The days a run materializes; a run with none is refused before any work."""
    if not partition_keys:
        raise EmptyPartitionRange(
            "this run covers no day: give a range from an earlier to a later day, "
            "e.g. --partition-range 2015-01-01...2015-01-31"
        )
    return [dt.date.fromisoformat(key) for key in partition_keys]


def backfill_policy_for(max_partitions_per_run: int | None) -> dg.BackfillPolicy:
    """One run for a whole range (one cluster), or runs of at most N days when N is given."""
    if max_partitions_per_run is None:
        return dg.BackfillPolicy.single_run()
    return dg.BackfillPolicy.multi_run(max_partitions_per_run)


# What each asset declares; the deployment's own policy is set by `definitions_for`.
daily_backfill_policy = backfill_policy_for(None)
