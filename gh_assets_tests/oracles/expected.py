"""The rows and accounting the pipeline must produce for a generated day, read off its truth.

Expected rows come from the era-neutral `FakePush` records, never by parsing the JSON; the damage
bookkeeping of each hour says which records a careful reader can still recover.
"""

from __future__ import annotations

from dataclasses import dataclass

from gh_assets_tests.oracles.gharchive_contract import Row, commit_sort_key, push_sort_key
from gh_assets_tests.synthetic.days import FakeDay
from gh_assets_tests.synthetic.truth import FakePush


@dataclass(frozen=True)
class DayAccounting:
    """What the pipeline must report for a day.

    duplicates_dropped counts PushEvents only; objects_recovered counts objects of any type
    decoded from damaged lines; fragments_skipped counts undecodable pieces of text (the head of
    a cut record, a truncated last record, the partial line at a gzip break); nul_runs counts
    runs of NUL bytes, which hold no text.
    """

    push_events: int
    commits: int
    duplicates_dropped: int
    objects_recovered: int
    fragments_skipped: int
    nul_runs: int
    pushes_without_commit_list: int
    damaged_hours: tuple[int, ...]
    missing_hours: tuple[int, ...]


def expected_rows(fake: FakeDay) -> tuple[list[Row], list[Row]]:
    """The push rows and commit rows the pipeline must produce, sorted by the contract's keys."""
    pushes, commits = [], []
    for push, source_file in _first_occurrences(fake)[0]:
        pushes.append(_push_row(push, source_file))
        commits.extend(_commit_rows(push, source_file))
    return sorted(pushes, key=push_sort_key), sorted(commits, key=commit_sort_key)


def expected_accounting(fake: FakeDay) -> DayAccounting:
    """The counts the pipeline must report for the day."""
    kept, duplicates = _first_occurrences(fake)
    recovered = fragments = nul_runs = 0
    damaged = []
    for hour, fake_hour in sorted(fake.hours.items()):
        lines, partial = fake_hour.surviving_lines()
        recovered += sum(len(line.kept) for line in lines if line.damaged)
        fragments += partial + sum(line.fragments for line in lines)
        nul_runs += sum(line.nul_run for line in lines)
        if fake_hour.not_gzip or partial or any(line.damaged for line in lines):
            damaged.append(hour)
    return DayAccounting(
        push_events=len(kept),
        commits=sum(len(push.commits or ()) for push, _ in kept),
        duplicates_dropped=duplicates,
        objects_recovered=recovered,
        fragments_skipped=fragments,
        nul_runs=nul_runs,
        pushes_without_commit_list=sum(push.commits is None for push, _ in kept),
        damaged_hours=tuple(damaged),
        missing_hours=tuple(h for h in range(24) if h not in fake.hours),
    )


def _first_occurrences(fake: FakeDay) -> tuple[list[tuple[FakePush, str]], int]:
    """Readable pushes in file then line order, first occurrence of each event; and dup count."""
    seen: set[object] = set()
    kept: list[tuple[FakePush, str]] = []
    duplicates = 0
    for _, fake_hour in sorted(fake.hours.items()):
        for line in fake_hour.surviving_lines()[0]:
            for index in line.kept:
                push = fake_hour.records[index]
                if not isinstance(push, FakePush):
                    continue
                key = push.event_id or push
                if key in seen:
                    duplicates += 1
                    continue
                seen.add(key)
                kept.append((push, fake_hour.source_file))
    return kept, duplicates


def _push_row(push: FakePush, source_file: str) -> Row:
    return {
        "event_id": push.event_id,
        "push_id": push.push_id,
        "user": push.actor.login,
        "repo": push.repo,
        "repo_id": push.repo_id,
        "created_at": push.created_at,
        "ref": push.ref,
        "head": push.head,
        "before": push.before,
        "size": push.size,
        "distinct_size": push.distinct_size,
        "commit_count": None if push.commits is None else len(push.commits),
        "source_file": source_file,
    }


def _commit_rows(push: FakePush, source_file: str) -> list[Row]:
    return [
        {
            "event_id": push.event_id,
            "commit_index": index,
            "sha": commit.sha,
            "repo": push.repo,
            "user": push.actor.login,
            "created_at": push.created_at,
            "author_name": commit.author_name,
            "author_email": commit.author_email,
            "message": commit.message,
            "distinct": commit.distinct,
            "ref": push.ref,
            "push_id": push.push_id,
            "source_file": source_file,
        }
        for index, commit in enumerate(push.commits or ())
    ]
