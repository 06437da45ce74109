"""Read one PushEvent of any era into plain values, deciding the format by the keys it has.

Three formats occur (see shared/GHARCHIVE.md): 2011-2012 (`repo{name}`, `payload.shas` of 4),
the 2012-2014 timeline (no `id`, `actor` a string, `repository{owner, name}`, Pacific offsets,
`payload.shas` of 5), and the Events API since 2015 (`payload.commits`), whose pushes lost the
commit list, `size` and `distinct_size` from 2025-10-07 on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from functools import lru_cache
from typing import NamedTuple

import orjson

from gh_assets.tables.arrays import micros


class Commit(NamedTuple):
    sha: str | None
    author_email: str | None
    message: str | None
    author_name: str | None
    distinct: bool | None


def event_key(event: dict) -> str:
    """The event's id, or for the id-less timeline format a SHA-1 of its canonical JSON."""
    event_id = event.get("id")
    if event_id is not None:
        return str(event_id)
    try:
        canonical = orjson.dumps(event, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # lone surrogates in a recovered record: orjson refuses, json does not
        canonical = json.dumps(event, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha1(canonical).hexdigest()


def event_user(event: dict) -> str | None:
    """The pusher's login: `actor.login`, the timeline's `actor` string, or `actor_attributes`.

    Some 2011 actors have no login; their `payload.actor` holds it.
    """
    actor = event.get("actor")
    if isinstance(actor, dict) and actor.get("login"):
        return actor["login"]
    if isinstance(actor, str):
        return actor
    attributes = event.get("actor_attributes")
    if isinstance(attributes, dict) and attributes.get("login"):
        return attributes["login"]
    payload = event.get("payload")
    return payload.get("actor") if isinstance(payload, dict) else None


def event_repo(event: dict) -> str | None:
    """`owner/name`: `repo.name`, `payload.repo` for a deleted repo, or the timeline's parts."""
    repo = event.get("repo")
    if isinstance(repo, dict) and repo.get("name") not in (None, "/"):
        return repo["name"]
    repository = event.get("repository")
    if isinstance(repository, dict) and repository.get("name"):
        owner = repository.get("owner")
        owner = owner.get("login") if isinstance(owner, dict) else owner
        return f"{owner}/{repository['name']}" if owner else repository["name"]
    payload = event.get("payload")
    if isinstance(payload, dict) and isinstance(payload.get("repo"), str):
        return payload["repo"]
    return repo.get("name") if isinstance(repo, dict) else None


def event_repo_id(event: dict) -> int | None:
    """The repository's numeric id, wherever the format keeps it (null beyond 64 bits)."""
    for holder, key in (("repo", "id"), ("repository", "id"), ("payload", "repository_id")):
        value = event.get(holder)
        if isinstance(value, dict) and (found := as_int(value.get(key))) is not None:
            return within_int64(found)
    return None


@lru_cache(maxsize=1 << 16)
def created_at_micros(value: str | None) -> int | None:
    """`parse_created_at` as microseconds since the epoch, the form Arrow stores."""
    parsed = parse_created_at(value)
    return None if parsed is None else micros(parsed)


def parse_created_at(value: str | None) -> dt.datetime | None:
    """UTC time from `...Z`, `...-07:00` or `2012/03/24 00:00:04 -0700`; None if unreadable.

    A value without an offset is taken as UTC.
    """
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = dt.datetime.strptime(value, "%Y/%m/%d %H:%M:%S %z")
        except ValueError:
            return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def as_int(value: object) -> int | None:
    """An integer field that may come as a number or a digit string."""
    if type(value) is int:  # not bool, which is an int too
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def as_int64(value: object) -> int | None:
    """`as_int` within a 64-bit integer column's range (`within_int64`)."""
    return within_int64(as_int(value))


def within_int64(number: int | None) -> int | None:
    """`number` if a 64-bit integer column can hold it: a number beyond (no real id or count is)
    reads as null in every table, so that one odd value never fails its hour."""
    return number if number is not None and _INT64_MIN <= number <= _INT64_MAX else None


def listed_commits(payload: dict) -> list[Commit] | None:
    """The push's commit list, or None when the payload has none (the format since 2025-10-07)."""
    commits = payload.get("commits")
    if isinstance(commits, list):
        return [_api_commit(commit) for commit in commits if type(commit) is dict]
    shas = payload.get("shas")
    if isinstance(shas, list):
        return [_sha_tuple_commit(entry) for entry in shas if isinstance(entry, list)]
    return None


def _api_commit(commit: dict) -> Commit:
    author = commit.get("author")
    if type(author) is not dict:
        author = _NO_AUTHOR
    distinct = commit.get("distinct")
    return Commit(
        commit.get("sha"),
        author.get("email"),
        commit.get("message"),
        author.get("name"),
        distinct if type(distinct) is bool else None,
    )


_NO_AUTHOR: dict = {}


def _sha_tuple_commit(entry: list) -> Commit:
    """`[sha, email, message, name]` (2011-2012) or with a fifth `distinct` (2012-2014)."""
    padded = (entry + [None] * 5)[:5]
    sha, email, message, name, distinct = padded
    return Commit(sha, email, message, name, distinct if isinstance(distinct, bool) else None)
