"""How fresh the tables should be, when `GH_ASSETS_FRESHNESS_HOURS` is set.

Each table gets a Dagster freshness policy: it fails once the table has gone that long without a
materialization (the UI's freshness status, evaluated by the daemon). `events` gets a check that
compares the newest hour the archive has published with the newest hour built, and warns when the
archive is ahead by more than that: it runs after each run that builds `events`, and from the
asset's *Checks* tab. Unset, nothing is declared: tables of history alone are never "late".
"""

import datetime as dt

import dagster as dg

from gh_assets.archive.completeness import ONE_HOUR
from gh_assets.archive.names import hour_filename
from gh_assets.defs.day_records import recorded_days
from gh_assets.defs.resources.archive import ArchiveResource
from gh_assets.defs.sensors import PROBE_ATTEMPTS, PROBE_TIMEOUT_SECONDS
from gh_assets.tables.catalogue import EVENTS

HOURS_LOOKED_BACK = 6  # the archive is normally well under an hour behind the clock


def freshness_policy(hours: int) -> dg.FreshnessPolicy:
    return dg.FreshnessPolicy.time_window(fail_window=dt.timedelta(hours=hours))


def newest_hour_built(instance: dg.DagsterInstance) -> dt.datetime | None:
    """The start of the newest hour the newest day of `events` holds."""
    days = instance.get_materialized_partitions(dg.AssetKey(EVENTS.name))
    if not days:
        return None
    day = dt.date.fromisoformat(max(days))
    record = recorded_days(instance, EVENTS.name, [day]).get(day)
    newest = record and record.metadata.get("newest_hour")
    if newest is None:  # a day built before the figure existed: whole
        return dt.datetime.combine(day, dt.time(23), dt.UTC)
    if newest.value == "none":
        return dt.datetime.combine(day, dt.time(), dt.UTC) - ONE_HOUR
    return dt.datetime.strptime(newest.value, "%Y-%m-%d %H:%M UTC").replace(tzinfo=dt.UTC)


def newest_hour_published(
    now: dt.datetime, file_exists, hours_back: int = HOURS_LOOKED_BACK
) -> dt.datetime | None:
    """The start of the newest hour that has ended by `now` and whose file exists, looking back
    `hours_back` hours at most."""
    hour = now.replace(minute=0, second=0, microsecond=0) - ONE_HOUR
    for _ in range(hours_back):
        if file_exists(hour_filename(hour.date(), hour.hour)):
            return hour
        hour -= ONE_HOUR
    return None


def archive_lag_check(hours: int) -> dg.AssetChecksDefinition:
    """The check on `events` that warns when the archive is more than `hours` ahead of it."""

    @dg.asset_check(
        asset=EVENTS.name,
        name="keeps_up_with_the_archive",
        description=(
            f"The newest hour built is at most {hours} h behind the newest hour the archive has "
            "published (GH_ASSETS_FRESHNESS_HOURS). Keep it so with gharchive_hour_sensor."
        ),
    )
    def keeps_up(
        context: dg.AssetCheckExecutionContext, archive: ArchiveResource
    ) -> dg.AssetCheckResult:
        client = archive.client().for_probes(PROBE_ATTEMPTS, PROBE_TIMEOUT_SECONDS)
        now = dt.datetime.now(dt.UTC)
        published = newest_hour_published(now, lambda name: client.probe(name).exists)
        built = newest_hour_built(context.instance)
        shown = {
            "newest_hour_published": _text(published),
            "newest_hour_built": _text(built),
        }
        if published is None:
            return dg.AssetCheckResult(
                passed=True,
                description=f"the archive has published no hour in the last {HOURS_LOOKED_BACK} "
                "h: nothing to keep up with",
                metadata=shown,
            )
        behind = (published - built) / ONE_HOUR if built else None
        passed = behind is not None and behind <= hours
        return dg.AssetCheckResult(
            passed=passed,
            severity=dg.AssetCheckSeverity.WARN,
            description=(
                "no hour of events is built"
                if behind is None
                else f"the newest hour built is {max(behind, 0):g} h behind the archive's "
                f"({_text(built)} against {_text(published)}; at most {hours} h)"
            ),
            metadata={**shown, "hours_behind": max(behind, 0) if behind is not None else -1},
        )

    return keeps_up


def _text(hour: dt.datetime | None) -> str:
    return f"{hour:%Y-%m-%d %H}:00 UTC" if hour else "none"
