"""An independent reference reader: the normative row rules applied to clean archive lines."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from gh_assets_tests.oracles.gharchive_contract import (
    Row,
    commit_sort_key,
    hour_of_file,
    push_sort_key,
)


def parse_created_at(text: str) -> datetime:
    """Any of the archive's timestamp forms as an aware UTC datetime."""
    if "/" in text:
        parsed = datetime.strptime(text, "%Y/%m/%d %H:%M:%S %z")
    else:
        parsed = datetime.fromisoformat(text)
    return parsed.astimezone(UTC)


def reference_rows(lines: Iterable[bytes], source_file: str) -> tuple[list[Row], list[Row]]:
    """Push and commit rows of one file's lines, duplicates dropped, sorted by the contract."""
    return reference_day_rows({source_file: lines})


def reference_day_rows(files: Mapping[str, Iterable[bytes]]) -> tuple[list[Row], list[Row]]:
    """Rows of a day's files, the first occurrence of each event winning in hour then line order.

    Every non-blank line must be one JSON object: this reader is for clean, real lines.
    """
    seen: set[str] = set()
    pushes: list[Row] = []
    commits: list[Row] = []
    for source_file in sorted(files, key=hour_of_file):
        for number, line in enumerate(files[source_file], 1):
            if not line.strip():
                continue
            try:
                event = json.loads(line)
            except ValueError as error:
                raise ValueError(f"{source_file} line {number}: {error}") from error
            if event.get("type") != "PushEvent":
                continue
            key = str(event["id"]) if "id" in event else json.dumps(event, sort_keys=True)
            if key in seen:
                continue
            seen.add(key)
            push, push_commits = _rows(event, source_file)
            pushes.append(push)
            commits.extend(push_commits)
    return sorted(pushes, key=push_sort_key), sorted(commits, key=commit_sort_key)


def _rows(event: dict[str, Any], source_file: str) -> tuple[Row, list[Row]]:
    payload = event["payload"]
    actor = event.get("actor")
    if isinstance(actor, dict):
        user = actor.get("login")
    else:
        user = actor or event.get("actor_attributes", {}).get("login")
    repo_object, repository = event.get("repo") or {}, event.get("repository") or {}
    if repository:
        repo = f"{repository['owner']}/{repository['name']}"
    elif repo_object.get("name") == "/":
        repo = payload["repo"]
    else:
        repo = repo_object.get("name")
    repo_ids = (repo_object.get("id"), repository.get("id"), payload.get("repository_id"))
    repo_id = next((value for value in repo_ids if value is not None), None)
    if "commits" in payload:
        listed = [
            (c["sha"], c["author"]["email"], c["message"], c["author"]["name"], c["distinct"])
            for c in payload["commits"]
        ]
    elif "shas" in payload:
        listed = [(*entry[:4], entry[4] if len(entry) > 4 else None) for entry in payload["shas"]]
    else:
        listed = None
    common = {
        "event_id": str(event["id"]) if "id" in event else None,
        "push_id": payload.get("push_id"),
        "user": user,
        "repo": repo,
        "created_at": parse_created_at(event["created_at"]),
        "ref": payload.get("ref"),
        "source_file": source_file,
    }
    push = common | {
        "repo_id": repo_id,
        "head": payload.get("head"),
        "before": payload.get("before"),
        "size": payload.get("size"),
        "distinct_size": payload.get("distinct_size"),
        "commit_count": None if listed is None else len(listed),
    }
    commits = [
        common
        | {
            "commit_index": index,
            "sha": sha,
            "author_name": name,
            "author_email": email,
            "message": message,
            "distinct": distinct,
        }
        for index, (sha, email, message, name, distinct) in enumerate(listed or ())
    ]
    return push, commits
