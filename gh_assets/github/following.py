"""Which repositories `api_commits` follows: `owner/name` and `owner/*` patterns."""

from __future__ import annotations

import re
from dataclasses import dataclass

_OWNER = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
_PATTERN = re.compile(rf"({_OWNER})/(\*|[A-Za-z0-9_.-]+)")


@dataclass(frozen=True)
class FollowedRepos:
    """Repositories named one by one and owners followed wholly; GitHub's names ignore case."""

    repos: frozenset[str]
    owners: frozenset[str]

    @classmethod
    def parse(cls, text: str) -> FollowedRepos:
        """From a comma-separated list such as `acme/*, octocat/hello-world`."""
        repos, owners = set(), set()
        for item in filter(None, (part.strip() for part in text.split(","))):
            match = _PATTERN.fullmatch(item)
            if not match or match[2] in (".", ".."):
                raise ValueError(
                    f"{text!r}: {item!r} is not owner/name or owner/*, "
                    "e.g. acme/*,octocat/hello-world"
                )
            if match[2] == "*":
                owners.add(match[1].lower())
            else:
                repos.add(item.lower())
        if not repos and not owners:
            raise ValueError(f"{text!r} names no repository, e.g. acme/*,octocat/hello-world")
        return cls(frozenset(repos), frozenset(owners))

    def __bool__(self) -> bool:
        return bool(self.repos or self.owners)

    def __contains__(self, repo: str) -> bool:
        repo = repo.lower()
        return repo in self.repos or repo.split("/", 1)[0] in self.owners

    def __str__(self) -> str:
        return ",".join(sorted(self.repos | {f"{owner}/*" for owner in self.owners}))


NOTHING_FOLLOWED = FollowedRepos(frozenset(), frozenset())
