"""Reading the written tables back, and comparing them with expected rows."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from gh_assets.tables.storage import Storage
from gh_assets_tests.oracles.gharchive_contract import commit_sort_key, push_sort_key

HEX40 = re.compile(r"[0-9a-f]{40}")


def top_repos_figure(markdown: str) -> dict[str, int]:
    """Repository -> pushes, read back from a day's `top_repos` figure (a Markdown table)."""
    return {
        repo: int(n) for repo, n in re.findall(r"^\| ([^|]+/[^|]+) \| (\d+) \|$", markdown, re.M)
    }


def read_day(where: Path | Storage, table: str, day: dt.date) -> list[dict]:
    """A day of a table as rows, from a local folder or any storage URL."""
    storage = where if isinstance(where, Storage) else Storage(str(where))
    return storage.read_table(storage.day_file(table, day)).to_pylist()


def assert_rows_match(actual: list[dict], expected: list[dict], sort_key) -> None:
    """Same rows, column for column; an expected event_id of None (timeline) is a 40-hex key."""
    assert len(actual) == len(expected)
    for got, want in zip(sorted(actual, key=sort_key), sorted(expected, key=sort_key), strict=True):
        if want["event_id"] is None:
            assert HEX40.fullmatch(got["event_id"]), got
            got = {**got, "event_id": None}
        assert {name: got[name] for name in want} == want


def assert_day_matches(
    where: Path | Storage, day: dt.date, pushes: list[dict], commits: list[dict]
) -> None:
    actual_pushes = read_day(where, "push_events", day)
    actual_commits = read_day(where, "commits", day)
    assert_rows_match(actual_pushes, pushes, push_sort_key)
    assert_rows_match(actual_commits, commits, commit_sort_key)
    push_ids = [row["event_id"] for row in actual_pushes]
    assert len(set(push_ids)) == len(push_ids)
    assert {row["event_id"] for row in actual_commits} <= set(push_ids)
