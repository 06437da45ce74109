"""GitHub's answers kept in the table storage, so that a re-run of a day spends no requests on them.

An answer is the commits between two commits, which never change once fetched, so a kept answer
is used without asking again (GitHub's ETags cannot do better: they differ per token, and a 304
still needs the body kept somewhere). Answers live under `<storage>/_cache/github/<API host>/`,
one JSON file per repository and `base...head`, the base being `before` or, for a new branch or
tag, its ref (the host's port is left out: it says nothing of the answers), emails already
scrambled; readers of the tables
never look under `_cache`. Refusals are not kept: a repository may come back, a token may change.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from urllib.parse import quote, urlparse

from gh_assets.github.push_answers import ApiCommit, PushAnswer
from gh_assets.tables.storage import Storage

CACHE = "_cache"


class AnswerCache:
    """The kept answers of one API (github.com and an Enterprise server are kept apart)."""

    def __init__(self, storage: Storage, api_url: str) -> None:
        self.storage = storage
        self.root = f"{storage.root}/{CACHE}/github/{_component(urlparse(api_url).hostname or '')}"

    def path(self, repo: str, base: str, head: str) -> str:
        owner, _, name = repo.lower().partition("/")
        comparison = f"{_component(base)}...{_component(head)}.json"
        return f"{self.root}/{_component(owner)}/{_component(name)}/{comparison}"

    def get(self, repo: str, base: str, head: str) -> PushAnswer | None:
        """The kept answer, or None (an unreadable one counts as none and is fetched again)."""
        path = self.path(repo, base, head)
        try:
            kept = json.loads(self.storage.fs.cat_file(path))
            commits = tuple(ApiCommit(**commit) for commit in kept["commits"])
            return PushAnswer(kept["kind"], commits, from_cache=True)
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            return None

    def put(self, repo: str, base: str, head: str, answer: PushAnswer) -> None:
        kept = {"kind": answer.kind, "commits": [asdict(commit) for commit in answer.commits]}
        with self.storage.open_atomic(self.path(repo, base, head)) as file:
            file.write(json.dumps(kept, ensure_ascii=False).encode())


def _component(text: str) -> str:
    """One path component that cannot climb out of its folder (no `/`, never `.` or `..`)."""
    quoted = quote(text, safe="")
    return quoted if quoted.strip(".") else quoted.replace(".", "%2E") or "%00"
