"""What a generated event is, whatever its era's JSON: the truth expected rows are read from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from gh_assets_tests.synthetic.eras import Era


class Person(NamedTuple):
    """A GitHub account: its id, login and display name (empty for some)."""

    id: int
    login: str
    name: str


@dataclass(frozen=True)
class FakeCommit:
    """One listed commit; `distinct` is None in the legacy format."""

    sha: str
    author_email: str
    author_name: str
    message: str
    distinct: bool | None


@dataclass(frozen=True)
class FakePush:
    """A PushEvent whatever its era: fields the era lacks are None."""

    era: Era
    event_id: str | None
    actor: Person
    repo: str
    repo_id: int | None
    created_at: datetime
    ref: str
    head: str
    before: str | None
    push_id: int | None
    size: int | None
    distinct_size: int | None
    commits: tuple[FakeCommit, ...] | None
    org: Person | None = None
    deleted_repo: bool = False
    slash_date: bool = False


Record = FakePush | dict[str, Any]  # events other than pushes are kept as their rendered JSON
