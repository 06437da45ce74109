"""An independent reading of `events`: Python's json module and the rules of GHARCHIVE.md.

Written apart from `gh_assets.reading` on purpose: it shares no code with the pipeline, so a rule
wrong there does not go unnoticed by being wrong here too. Generated days give their surviving
records straight from the generator's bookkeeping; real samples are clean lines.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from gh_assets.tables.storage import Storage
from gh_assets_tests.oracles.gharchive_contract import Row, hour_of_file
from gh_assets_tests.oracles.tables_read import read_day
from gh_assets_tests.synthetic.days import FakeDay
from gh_assets_tests.synthetic.shapes import encode, render

EVENT_COLUMNS = (
    "event_id",
    "type",
    "created_at",
    "actor_id",
    "actor_login",
    "repo_id",
    "repo",
    "org_id",
    "org_login",
    "public",
    "action",
    "payload",
    "is_bot",
    "source_file",
)


def utc(text: str) -> datetime:
    if "/" in text:  # 2012/03/24 00:00:04 -0700
        return datetime.strptime(text, "%Y/%m/%d %H:%M:%S %z").astimezone(UTC)
    return datetime.fromisoformat(text).astimezone(UTC)


def oracle_row(event: dict[str, Any], source_file: str) -> Row:
    """The row GHARCHIVE.md's rules give; `event_id` None for an id-less (2012-2014) event and
    `payload` as the parsed value."""
    payload = event.get("payload")
    payload_dict = payload if isinstance(payload, dict) else {}
    actor = event.get("actor")
    attributes = event.get("actor_attributes") or {}
    if isinstance(actor, dict):
        login = actor.get("login") or payload_dict.get("actor")
    else:
        login = actor or attributes.get("login")
    repo_object = event.get("repo") if isinstance(event.get("repo"), dict) else {}
    repository = event.get("repository") if isinstance(event.get("repository"), dict) else {}
    if repository:
        owner = repository.get("owner")
        repo = f"{owner}/{repository['name']}"
        repo_id = repository.get("id")
    else:
        repo = repo_object.get("name")
        if repo == "/":  # a deleted repository, 2011-2012
            repo = payload_dict.get("repo")
        repo_id = repo_object.get("id", payload_dict.get("repository_id"))
    org = event.get("org") if isinstance(event.get("org"), dict) else {}
    action = payload_dict.get("action")
    return {
        "event_id": str(event["id"]) if "id" in event else None,
        "type": event["type"],
        "created_at": utc(event["created_at"]),
        "actor_id": actor.get("id") if isinstance(actor, dict) else None,
        "actor_login": login,
        "repo_id": repo_id,
        "repo": repo,
        "org_id": org.get("id"),
        "org_login": org.get("login") or repository.get("organization"),
        "public": event.get("public"),
        "action": action if isinstance(action, str) else None,
        "payload": payload,
        "is_bot": None if login is None else login.endswith("[bot]"),
        "source_file": source_file,
    }


def _first_occurrences(events: Iterable[tuple[dict, str]]) -> list[Row]:
    seen: set[str] = set()
    rows = []
    for event, source_file in events:
        key = str(event["id"]) if "id" in event else json.dumps(event, sort_keys=True)
        if key not in seen:
            seen.add(key)
            rows.append(oracle_row(event, source_file))
    return rows


def oracle_rows_of_lines(files: Mapping[str, Iterable[bytes]]) -> list[Row]:
    """The events of clean files (each non-blank line one JSON event), first occurrence winning
    in hour, then line order."""
    return _first_occurrences(
        (json.loads(line), source_file)
        for source_file in sorted(files, key=hour_of_file)
        for line in files[source_file]
        if line.strip()
    )


def oracle_rows_of_fake(fake: FakeDay) -> list[Row]:
    """The events of a generated day that survive its damage, from the generator's records."""
    return _first_occurrences(
        (json.loads(encode(render(hour.records[index]))), hour.source_file)
        for _, hour in sorted(fake.hours.items())
        for line in hour.surviving_lines()[0]
        for index in line.kept
    )


def event_sort_key(row: Row) -> tuple:
    """An order on event rows that does not use event_id (2012-2014 rows have none here)."""
    return (
        row["source_file"],
        row["created_at"],
        row["type"],
        row["repo"] or "",
        row["actor_login"] or "",
        json.dumps(row["payload"], sort_keys=True),
    )


def assert_events_match(actual: list[Row], expected: list[Row]) -> None:
    """The pipeline's rows equal the oracle's, column for column, payloads compared parsed; an
    id-less event's event_id must be a 40-hex key, and all event ids distinct."""
    ids = [row["event_id"] for row in actual]
    assert len(set(ids)) == len(ids)
    converted = []
    for row in actual:
        row = dict(row, payload=None if row["payload"] is None else json.loads(row["payload"]))
        if re.fullmatch("[0-9a-f]{40}", row["event_id"]):
            row["event_id"] = None
        converted.append(row)
    assert Counter(row["type"] for row in converted) == Counter(row["type"] for row in expected)
    assert len(converted) == len(expected)
    pairs = zip(
        sorted(converted, key=event_sort_key), sorted(expected, key=event_sort_key), strict=True
    )
    for got, want in pairs:
        assert got == want


def recount(events: list[dict]) -> dict[str, dict]:
    """repo_activity's counted figures, recounted in plain Python from the events rows."""
    repos: dict[str, dict] = defaultdict(lambda: Counter())
    actors: dict[str, set] = defaultdict(set)
    for event in events:
        if event["repo"] is None:
            continue
        counts = repos[event["repo"]]
        counts["events"] += 1
        counts["pushes"] += event["type"] == "PushEvent"
        counts["stars"] += event["type"] == "WatchEvent"
        counts["forks"] += event["type"] == "ForkEvent"
        if event["actor_login"] is not None:
            actors[event["repo"]].add(event["actor_login"])
    return {repo: dict(counts, actors=len(actors[repo])) for repo, counts in repos.items()}


def assert_events_and_activity(where: Path | Storage, day: date, expected: list[Row]) -> list[Row]:
    """The day's `events` equal `expected`; its `repo_activity` equals a recount of `events`."""
    events = read_day(where, "events", day)
    assert_events_match(events, expected)
    activity = read_day(where, "repo_activity", day)
    figures = ("events", "pushes", "stars", "forks", "actors")
    assert {row["repo"]: {name: row[name] for name in figures} for row in activity} == recount(
        events
    )
    return activity
