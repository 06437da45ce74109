"""One day of `api_commits`: the day's list-less pushes of followed repositories, asked and written.

The pushes come from the day's `push_events` file in the same storage; the rows are written with
the storage's atomic day-file write, so a reader sees the old day or the new one, never a mix.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields

import pyarrow as pa
import pyarrow.compute as pc

from gh_assets.github.following import FollowedRepos
from gh_assets.github.push_answers import ListlessPush, PushAsker, PushOutcome
from gh_assets.tables.arrays import micros, strings, table
from gh_assets.tables.catalogue import API_COMMITS, PUSH_EVENTS
from gh_assets.tables.storage import Storage

SOURCE = "api"


class MissingPushEvents(RuntimeError):
    """The day's push_events are not in the storage yet."""


@dataclass(frozen=True)
class ApiDay:
    """What a day's run found, asked and wrote."""

    day: dt.date
    pushes_without_commit_list: int
    pushes_followed: int
    outcomes: tuple[PushOutcome, ...]
    rows: int
    bytes_written: int
    path: str
    requests_by_status: dict[str, int]
    rate_limit_waits: int
    rate_limit_wait_seconds: float


def listless_pushes(
    storage: Storage, day: dt.date, followed: FollowedRepos
) -> tuple[int, list[ListlessPush]]:
    """The day's pushes without a commit list (all repositories), and those of followed ones."""
    path = storage.day_file(PUSH_EVENTS.name, day)
    if not storage.fs.exists(path):
        raise MissingPushEvents(
            f"no push_events for {day} at {storage.uri(path)}: materialize push_events for that "
            "day first"
        )
    names = [column.name for column in fields(ListlessPush)]
    pushes = storage.read_table(path, [*names, "commit_count"] if followed else ["commit_count"])
    listless = pushes.filter(pc.is_null(pushes["commit_count"]))
    if not followed:  # the count alone: no push becomes a Python object
        return listless.num_rows, []
    repos = listless["repo"]
    matched = [repo for repo in pc.unique(repos).to_pylist() if repo in followed]
    mine = listless.filter(pc.is_in(repos, value_set=strings(matched))).select(names)
    return listless.num_rows, [ListlessPush(**row) for row in mine.to_pylist()]


@dataclass(frozen=True)
class Asked:
    """What asking GitHub about a day's pushes gave: each one's outcome, and what it cost."""

    outcomes: tuple[PushOutcome, ...] = ()
    requests_by_status: dict[str, int] = field(default_factory=dict)
    rate_limit_waits: int = 0
    rate_limit_wait_seconds: float = 0.0


def ask_pushes(asker: PushAsker, pushes: list[ListlessPush], concurrency: int) -> Asked:
    """Every push's outcome, in the pushes' order, with at most `concurrency` asked at once."""
    client, gate = asker.client, asker.client.gate
    statuses, waits, waited = Counter(client.statuses), gate.waits, gate.wait_seconds
    with ThreadPoolExecutor(concurrency, thread_name_prefix="github") as pool:
        futures = [pool.submit(asker.outcome, push) for push in pushes]
        try:
            outcomes = tuple(future.result() for future in futures)
        except BaseException:
            pool.shutdown(cancel_futures=True)  # a refused token: ask nothing more
            raise
    return Asked(  # this day's requests: the client serves the whole run
        outcomes, dict(client.statuses - statuses), gate.waits - waits, gate.wait_seconds - waited
    )


def api_commits_table(outcomes: Sequence[PushOutcome]) -> pa.Table:
    """One row per commit of each answered push, in push order then GitHub's (oldest first)."""
    rows = [
        (
            push.event_id,
            index,
            commit.sha,
            push.push_id,
            micros(push.created_at),
            push.user,
            push.repo,
            push.ref,
            commit.author_name,
            commit.author_email,
            commit.message,
            None,  # distinct: the API does not say
            push.source_file,
            SOURCE,
        )
        for push, answer in ((outcome.push, outcome.answer) for outcome in outcomes)
        if answer is not None
        for index, commit in enumerate(answer.commits)
    ]
    return table(rows, API_COMMITS.schema)


def build_api_day(
    storage: Storage,
    asker: PushAsker | None,
    followed: FollowedRepos,
    day: dt.date,
    concurrency: int,
) -> ApiDay:
    """Ask about the day's list-less pushes of followed repositories and write their commits.

    Following none (and so without an asker), nothing is asked and the day's file is written
    empty: the table's rows are the commits of followed repositories.
    """
    without_list, pushes = listless_pushes(storage, day, followed)
    asked = ask_pushes(asker, pushes, concurrency) if asker else Asked()
    path = storage.day_file(API_COMMITS.name, day)
    commits = api_commits_table(asked.outcomes)
    written = storage.write_table(path, commits)
    return ApiDay(
        day,
        without_list,
        len(pushes),
        asked.outcomes,
        commits.num_rows,
        written,
        storage.uri(path),
        asked.requests_by_status,
        asked.rate_limit_waits,
        asked.rate_limit_wait_seconds,
    )
