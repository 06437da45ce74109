"""Data checks of `push_events` and `commits`, computed from a run's day and hour summaries."""

import dagster as dg

from gh_assets.day_commit import COMMITS, PUSH_EVENTS
from gh_assets.day_pipeline import DayResult

CHECK_SPECS = [
    dg.AssetCheckSpec(
        "all_published_hours_read",
        asset=PUSH_EVENTS,
        description="Every hour the manifest lists as present was read (none skipped unreadable).",
    ),
    dg.AssetCheckSpec(
        "damage_accounted_for",
        asset=PUSH_EVENTS,
        description="Every damaged line gave recovered events or counted skipped fragments.",
    ),
    dg.AssetCheckSpec(
        "no_duplicate_event_ids",
        asset=PUSH_EVENTS,
        description="Each event id occurs once in the day.",
    ),
    dg.AssetCheckSpec(
        "every_created_at_parses",
        asset=PUSH_EVENTS,
        description="No push has an unreadable created_at.",
    ),
    dg.AssetCheckSpec(
        "rows_match_commit_counts",
        asset=COMMITS,
        description="Commit rows equal the sum of commit_count over the day's pushes.",
    ),
]


def check_results(
    results: list[DayResult], manifest_files: dict[str, set[str]]
) -> list[dg.AssetCheckResult]:
    """Check results over the run's days; `manifest_files` maps a day to its present files."""
    unread = sorted(
        name
        for result in results
        for name in manifest_files.get(result.summary.day.isoformat(), set())
        - {hour.source_file for hour in result.hours if hour.read}
    )
    unaccounted = sorted(
        hour.source_file
        for result in results
        for hour in result.hours
        if hour.damaged_lines > hour.objects_recovered + hour.fragments_skipped
    )
    days = [result.summary for result in results]
    duplicated = sum(day.push_events - day.distinct_event_ids for day in days)
    unparsed = sum(day.unparsed_created_at for day in days)
    commit_rows, listed = sum(day.commits for day in days), sum(day.listed_commits for day in days)
    return [
        dg.AssetCheckResult(
            asset_key=PUSH_EVENTS,
            check_name="all_published_hours_read",
            passed=not unread,
            metadata={"unread_files": len(unread), "first_unread": ", ".join(unread[:10])},
        ),
        dg.AssetCheckResult(
            asset_key=PUSH_EVENTS,
            check_name="damage_accounted_for",
            passed=not unaccounted,
            metadata={"files": ", ".join(unaccounted[:10]) or "none"},
        ),
        dg.AssetCheckResult(
            asset_key=PUSH_EVENTS,
            check_name="no_duplicate_event_ids",
            passed=duplicated == 0,
            metadata={"duplicate_rows": duplicated},
        ),
        dg.AssetCheckResult(
            asset_key=PUSH_EVENTS,
            check_name="every_created_at_parses",
            passed=unparsed == 0,
            metadata={"unparsed_created_at": unparsed},
        ),
        dg.AssetCheckResult(
            asset_key=COMMITS,
            check_name="rows_match_commit_counts",
            passed=commit_rows == listed,
            metadata={"commit_rows": commit_rows, "sum_of_commit_count": listed},
        ),
    ]
