"""The daily (UTC) partitions of the archive, today included, and how a backfill over them is
split into runs."""

import datetime as dt

import dagster as dg

from gh_assets.archive.names import FIRST_DAY
from gh_assets.defs.setting_failures import setting_failure

# Today is a partition too: its tables grow hour by hour (`compute/day_append.py`)
daily_partitions = dg.DailyPartitionsDefinition(
    start_date=FIRST_DAY.isoformat(), timezone="UTC", end_offset=1
)


class EmptyPartitionRange(ValueError):
    """A run that covers no day, such as a range whose end comes before its start."""


def run_days(context: dg.AssetExecutionContext) -> list[dt.date]:
    """The days a run materializes. A run of an asset's checks alone (as the UI's *Checks* tab
    launches them, for no day) or of an empty range is refused before any work, saying what to
    do instead."""
    if not context.selected_asset_keys or not (
        context.has_partition_key or context.has_partition_key_range
    ):
        assets = ", ".join(sorted(spec.key.to_user_string() for spec in context.assets_def.specs))
        raise setting_failure(
            context,
            f"the checks of {assets} are evaluated when a day of the asset is materialized, not "
            "alone: materialize the asset for a day (in the UI: Materialize..., then pick the "
            "day) and its checks run with it",
        )
    if not context.partition_keys:
        raise EmptyPartitionRange(
            "this run covers no day: give a range from an earlier to a later day, "
            "e.g. --partition-range 2015-01-01...2015-01-31"
        )
    return [dt.date.fromisoformat(key) for key in context.partition_keys]


def backfill_policy_for(max_partitions_per_run: int | None) -> dg.BackfillPolicy:
    """One run for a whole range (one cluster), or runs of at most N days when N is given."""
    if max_partitions_per_run is None:
        return dg.BackfillPolicy.single_run()
    return dg.BackfillPolicy.multi_run(max_partitions_per_run)


# What each asset declares; the deployment's own policy is set by `definitions_for`.
daily_backfill_policy = backfill_policy_for(None)
