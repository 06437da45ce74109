"""Every data check fails on a day that breaks its rule, and passes on a sound one.

The days are hand-built reports (figures as the run would give them), so each check is seen to
judge the figure it names: a rule that always passed would fail here.
"""

import dataclasses
import datetime as dt

import pytest

from gh_assets.archive.names import day_filenames
from gh_assets.compute.day_publish import DaySummary
from gh_assets.compute.hour_transform import HourSummary
from gh_assets.compute.run_graph import DayResult
from gh_assets.compute.run_report import CHECKS, DayReport
from gh_assets.github.api_day import ApiDay
from gh_assets.github.following import NOTHING_FOLLOWED, FollowedRepos
from gh_assets.github.push_answers import ApiCommit, ListlessPush, PushAnswer, PushOutcome
from gh_assets.github.report import CHECKS as API_CHECKS
from gh_assets.github.report import ApiDayReport
from gh_assets.reading.event_rows import EventsRead
from gh_assets.reporting import counted

DAY = dt.date(2016, 1, 1)
FILES = day_filenames(DAY)
RULES = {(check.table.name, check.name): check.rule for check in (*CHECKS, *API_CHECKS)}


def archive_day(hours=None, present=frozenset(FILES[:2]), **summary) -> DayReport:
    """A sound day of two hours (the other 22 missing), with the figures given changed."""
    if hours is None:
        hours = [HourSummary(name, events_read=EventsRead()) for name in FILES[:2]]
        hours += [HourSummary(name, found=False) for name in FILES[2:]]
    sound = {"push_events": 3, "distinct_event_ids": 3, "events": 9, "distinct_events": 9}
    return DayReport(DayResult(DaySummary(DAY, **(sound | summary)), hours), present)


def with_hour(**changes) -> list[HourSummary]:
    """The sound day's hours, the first one changed."""
    hours = archive_day().hours
    return [dataclasses.replace(hours[0], **changes), *hours[1:]]


PUSH = ListlessPush(
    "1", 1, dt.datetime(2025, 11, 3, tzinfo=dt.UTC), "u", "acme/a", "r", "h", "b", "f"
)
COMMIT = ApiCommit("c", None, None, None)
ACME = FollowedRepos.parse("acme/*")


def api_day(outcomes, followed=1, rows=1, repos=ACME) -> ApiDayReport:
    """A day of one followed push, answered with one commit written, unless told otherwise."""
    day = ApiDay(DAY, 1, followed, tuple(outcomes), rows, 0, "p", {}, 0, 0.0)
    return ApiDayReport(day, repos, "set GH_ASSETS_API_COMMITS_REPOS")


ANSWERED = PushOutcome(PUSH, answer=PushAnswer("fast_forward", (COMMIT,)))
SOUND = {
    "push_events": archive_day(),
    "commits": archive_day(),
    "events": archive_day(),
    "api_commits": api_day([ANSWERED]),
}
BROKEN = {
    ("push_events", "all_published_hours_read"): archive_day(
        with_hour(unreadable="not gzip after 4 attempts")
    ),
    ("push_events", "archive_has_the_day"): archive_day(
        [HourSummary(name, found=False) for name in FILES], frozenset()
    ),
    ("push_events", "damage_accounted_for"): archive_day(
        with_hour(damaged_lines=3, objects_recovered=1, fragments_skipped=1)
    ),
    ("push_events", "no_duplicate_event_ids"): archive_day(push_events=4, distinct_event_ids=3),
    ("push_events", "every_created_at_parses"): archive_day(unparsed_created_at=1),
    ("commits", "rows_match_commit_counts"): archive_day(commits=5, listed_commits=6),
    ("events", "all_published_hours_read"): archive_day(
        with_hour(unreadable="not gzip after 4 attempts")
    ),
    ("events", "damage_accounted_for"): archive_day(
        with_hour(events_read=EventsRead(damaged_lines=2, fragments_skipped=1))
    ),
    ("events", "no_duplicate_event_ids"): archive_day(events=10, distinct_events=9),
    ("events", "every_created_at_parses"): archive_day(events_unparsed_created_at=2),
    ("api_commits", "every_push_answered_or_counted"): api_day([PushOutcome(PUSH)]),
    ("api_commits", "no_push_left_to_retry"): api_day(
        [PushOutcome(PUSH, cause="server_error")], rows=0
    ),
}
MORE_BROKEN = [
    pytest.param(
        "push_events",
        "all_published_hours_read",
        archive_day(with_hour(unreadable="not gzip"), present=None),
        id="no-manifest-an-unreadable-hour-found",
    ),
    pytest.param(
        "api_commits", "every_push_answered_or_counted", api_day([ANSWERED], rows=0), id="rows-lost"
    ),
    pytest.param(
        "api_commits",
        "every_push_answered_or_counted",
        api_day([ANSWERED], followed=2),
        id="a-push-without-outcome",
    ),
]


def test_every_check_has_a_broken_day():
    assert set(BROKEN) == set(RULES)


@pytest.mark.parametrize(("table", "check"), sorted(RULES))
def test_a_sound_day_passes(table, check):
    outcome = RULES[table, check](SOUND[table])
    assert outcome.passed, outcome.summary


@pytest.mark.parametrize(
    ("table", "check", "day"),
    [pytest.param(*key, day, id=".".join(key)) for key, day in BROKEN.items()] + MORE_BROKEN,
)
def test_a_day_that_breaks_the_rule_fails(table, check, day):
    outcome = RULES[table, check](day)
    assert not outcome.passed, outcome.summary


def test_a_day_without_a_manifest_is_judged_on_the_hours_found():
    outcome = RULES["push_events", "all_published_hours_read"](archive_day(present=None))
    assert outcome.passed and "no manifest" in outcome.summary


def test_following_nothing_passes_saying_how_to_follow():
    day = api_day([], followed=0, rows=0, repos=NOTHING_FOLLOWED)
    for check in ("every_push_answered_or_counted", "no_push_left_to_retry"):
        outcome = RULES["api_commits", check](day)
        assert outcome.passed and "set GH_ASSETS_API_COMMITS_REPOS" in outcome.summary


def test_counts_in_check_summaries_agree_with_their_nouns():
    """One push, one row, one commit: never `1 pushes`."""
    one_push = RULES["api_commits", "every_push_answered_or_counted"](api_day([ANSWERED])).summary
    assert "of 1 push answered (1 commit written)" in one_push
    repeated = archive_day(push_events=3, distinct_event_ids=2)
    assert RULES["push_events", "no_duplicate_event_ids"](repeated).summary.startswith("1 row ")
    assert RULES["commits", "rows_match_commit_counts"](archive_day(commits=1)).summary.startswith(
        "1 commit row,"
    )
    assert counted(2, "push", "pushes") == "2 pushes" and counted(0, "row") == "0 rows"
