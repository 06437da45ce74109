"""The event types each era has besides pushes and `payloads.OTHER_KINDS`, one of each per day.

Enough of each to test the `events` table on every era: 2012-2014 Gist and Follow events about no
repository, a star with a null actor, 2011's `payload.repo`, releases and reviews, a merged pull
request, and the stub pull requests GitHub sends since 2025-10-07 (no `merged`, no title).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gh_assets_tests.synthetic.draws import Draws
from gh_assets_tests.synthetic.eras import Era
from gh_assets_tests.synthetic.shapes import EventHead, envelope

RARE_KINDS: dict[Era, tuple[str, ...]] = {
    "legacy": ("GistEvent", "FollowEvent", "MemberEvent", "DownloadEvent"),
    "timeline": (
        "GollumEvent",
        "PublicEvent",
        "DownloadEvent",
        "GistEvent",
        "FollowEvent",
        "NoActorWatchEvent",
        "MergedPullRequestEvent",
    ),
    "events": (
        "ReleaseEvent",
        "GollumEvent",
        "MemberEvent",
        "PublicEvent",
        "CommitCommentEvent",
        "PullRequestReviewEvent",
        "MergedPullRequestEvent",
    ),
    "slim": ("ReleaseEvent", "StubPullRequestEvent", "ClosedStubPullRequestEvent"),
}
_TYPE = {
    "MergedPullRequestEvent": "PullRequestEvent",
    "StubPullRequestEvent": "PullRequestEvent",
    "ClosedStubPullRequestEvent": "PullRequestEvent",
    "NoActorWatchEvent": "WatchEvent",
}
_ABOUT_NO_REPOSITORY = ("GistEvent", "FollowEvent")


def rare_event(draws: Draws, era: Era, kind: str, created_at: datetime) -> dict[str, Any]:
    """A rendered event of one of the era's `RARE_KINDS`."""
    actor, other = draws.person(), draws.person()
    repo_id, repo = draws.repo()
    sha = draws.sha()
    stub = {
        "id": draws.rng.randint(1, 10**9),
        "number": 7,
        "head": {"ref": "topic", "sha": sha, "repo": {"id": repo_id, "name": repo}},
        "base": {"ref": "main", "sha": draws.sha(), "repo": {"id": repo_id, "name": repo}},
    }
    payload: dict[str, Any] = {
        "ReleaseEvent": {"action": "published", "release": {"tag_name": "v1.0", "body": "ü 🚀"}},
        "GollumEvent": {"pages": [{"page_name": "Home", "action": "edited", "sha": sha}]},
        "MemberEvent": {"action": "added", "member": {"login": other.login, "id": other.id}},
        "PublicEvent": {},
        "CommitCommentEvent": {"comment": {"commit_id": sha, "body": 'nit: "quoted"\n'}},
        "PullRequestReviewEvent": {"action": "created", "review": {"state": "approved"}},
        "MergedPullRequestEvent": {
            "action": "closed",
            "number": 7,
            "pull_request": stub | {"title": "Merge me", "merged": True, "additions": 3},
        },
        "StubPullRequestEvent": {"action": "opened", "number": 7, "pull_request": stub},
        "ClosedStubPullRequestEvent": {"action": "closed", "number": 7, "pull_request": stub},
        "DownloadEvent": {"download": {"name": "app.zip", "size": 1024}},
        "GistEvent": {"action": "create", "gist": {"id": 42, "description": "snippet"}},
        "FollowEvent": {"target": {"login": other.login, "followers": 3}},
        "NoActorWatchEvent": {"action": "started"},
    }[kind]
    if era == "legacy":
        payload = payload | {"repo": repo, "actor": actor.login}
    head = EventHead(
        _TYPE.get(kind, kind), actor, repo, repo_id, created_at, draws.event_id(era), None
    )
    event = envelope(era, head, payload)
    if era == "timeline" and kind in _ABOUT_NO_REPOSITORY:
        del event["repository"], event["url"]
    if kind == "NoActorWatchEvent":
        event["actor"] = None
        event.pop("actor_attributes", None)
    return event
