"""Events as the archive writes them, era by era: keys in the archive's order, nesting, times."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import orjson

from gh_assets_tests.synthetic.eras import PACIFIC, Era, is_modern
from gh_assets_tests.synthetic.truth import FakeCommit, FakePush, Person, Record

API = "https://api.github.com"


def encode(event: dict[str, Any]) -> bytes:
    """One event as the archive writes it: compact JSON, raw UTF-8."""
    return orjson.dumps(event)


def render(record: Record) -> dict[str, Any]:
    """The JSON object of a record (events other than pushes are kept rendered)."""
    return render_push(record) if isinstance(record, FakePush) else record


def render_push(push: FakePush) -> dict[str, Any]:
    """A PushEvent in its era's shape."""
    commits = push.commits or ()
    login = push.actor.login
    if push.era == "legacy":
        payload = {
            "shas": [[c.sha, c.author_email, c.message, c.author_name] for c in commits],
            "repo": push.repo,
            "actor": login,
            "ref": push.ref,
            "size": push.size,
            "head": push.head,
            "actor_gravatar": _md5(login),
            "push_id": push.push_id,
        }
    elif push.era == "timeline":
        payload = {
            "shas": [
                [c.sha, c.author_email, c.message, c.author_name, c.distinct] for c in commits
            ],
            "size": push.size,
            "ref": push.ref,
            "head": push.head,
        }
    elif push.era == "events":
        payload = {
            "push_id": push.push_id,
            "size": push.size,
            "distinct_size": push.distinct_size,
            "ref": push.ref,
            "head": push.head,
            "before": push.before,
            "commits": [commit_object(c, push.repo) for c in commits],
        }
    else:
        payload = {
            "repository_id": push.repo_id,
            "push_id": push.push_id,
            "ref": push.ref,
            "head": push.head,
            "before": push.before,
        }
    head = EventHead(
        "PushEvent",
        push.actor,
        push.repo,
        push.repo_id,
        push.created_at,
        push.event_id,
        push.org,
        push.deleted_repo,
        push.slash_date,
    )
    return envelope(push.era, head, payload)


def stamp(moment: datetime) -> str:
    """A UTC time as the Events API writes it."""
    return f"{moment:%Y-%m-%dT%H:%M:%SZ}"


def commit_object(commit: FakeCommit, repo: str) -> dict[str, Any]:
    """A listed commit of an Events-API push."""
    return {
        "sha": commit.sha,
        "author": {"email": commit.author_email, "name": commit.author_name},
        "message": commit.message,
        "distinct": commit.distinct,
        "url": f"{API}/repos/{repo}/commits/{commit.sha}",
    }


@dataclass(frozen=True)
class EventHead:
    """What every event has besides its payload; legacy events may name a deleted repository
    `/`, and some timeline events are stamped with slashes."""

    kind: str
    actor: Person
    repo: str
    repo_id: int | None
    created_at: datetime
    event_id: str | None
    org: Person | None = None
    deleted_repo: bool = False
    slash_date: bool = False


def envelope(era: Era, head: EventHead, payload: dict[str, Any]) -> dict[str, Any]:
    """Wrap a payload in the era's event object, keys in the archive's order."""
    if era == "legacy":
        return _legacy_event(head, payload)
    if era == "timeline":
        return _timeline_event(head, payload)
    event = {
        "id": head.event_id,
        "type": head.kind,
        "actor": actor_object(head.actor, is_modern(head.created_at)),
        "repo": {"id": head.repo_id, "name": head.repo, "url": f"{API}/repos/{head.repo}"},
        "payload": payload,
        "public": True,
        "created_at": stamp(head.created_at),
    }
    if (org := head.org) is not None:
        event["org"] = {
            "id": org.id,
            "login": org.login,
            "gravatar_id": "",
            "url": f"{API}/orgs/{org.login}",
            "avatar_url": f"https://avatars.githubusercontent.com/u/{org.id}?",
        }
    return event


def _legacy_event(head: EventHead, payload: dict[str, Any]) -> dict[str, Any]:
    dev, login, repo = "https://api.github.dev", head.actor.login, head.repo
    repo_object = (
        {"name": "/", "url": f"{dev}/repos//"}
        if head.deleted_repo
        else {"id": head.repo_id, "url": f"{dev}/repos/{repo}", "name": repo}
    )
    return {
        "repo": repo_object,
        "type": head.kind,
        "public": True,
        "created_at": stamp(head.created_at),
        "payload": payload,
        "actor": {
            "gravatar_id": _md5(login),
            "id": head.actor.id,
            "url": f"{dev}/users/{login}",
            "avatar_url": f"https://secure.gravatar.com/avatar/{_md5(login)}",
            "login": login,
        },
        "id": head.event_id,
    }


def _timeline_event(head: EventHead, payload: dict[str, Any]) -> dict[str, Any]:
    login, repo = head.actor.login, head.repo
    owner, name = repo.split("/")
    local = head.created_at.astimezone(PACIFIC)
    when = f"{local:%Y/%m/%d %H:%M:%S %z}" if head.slash_date else local.isoformat()
    return {
        "created_at": when,
        "payload": payload,
        "public": True,
        "type": head.kind,
        "url": f"https://github.com/{repo}",
        "actor": login,
        "actor_attributes": {
            "login": login,
            "type": "User",
            "gravatar_id": _md5(login),
            "name": head.actor.name,
            "email": hashlib.sha1(b"").hexdigest(),
        },
        "repository": {
            "id": head.repo_id,
            "name": name,
            "url": f"https://github.com/{repo}",
            "description": "Ünïcode description",
            "watchers": 3,
            "stargazers": 3,
            "forks": 0,
            "fork": False,
            "size": 120,
            "owner": owner,
            "private": False,
            "open_issues": 0,
            "has_issues": True,
            "has_downloads": True,
            "has_wiki": True,
            "language": "Python",
            "created_at": "2012-01-22T00:14:44-08:00",
            "pushed_at": when,
            "master_branch": "master",
        },
    }


def actor_object(person: Person, modern: bool) -> dict[str, Any]:
    """The `actor` of an Events-API event."""
    actor: dict[str, Any] = {"id": person.id, "login": person.login}
    if modern:
        actor["display_login"] = person.login
    return actor | {
        "gravatar_id": "",
        "url": f"{API}/users/{person.login}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{person.id}?",
    }


@cache
def user_object(person: Person, modern: bool) -> orjson.Fragment:
    """The 18-key user of issues, comments and pull requests, serialised once per user."""
    url = f"{API}/users/{person.login}"
    user: dict[str, Any] = {"login": person.login, "id": person.id}
    if modern:
        user["node_id"] = node_id(person.id)
    user |= {
        "avatar_url": f"https://avatars.githubusercontent.com/u/{person.id}?v={4 if modern else 3}",
        "gravatar_id": "",
        "url": url,
        "html_url": f"https://github.com/{person.login}",
        "followers_url": url + "/followers",
        "following_url": url + "/following{/other_user}",
        "gists_url": url + "/gists{/gist_id}",
        "starred_url": url + "/starred{/owner}{/repo}",
        "subscriptions_url": url + "/subscriptions",
        "organizations_url": url + "/orgs",
        "repos_url": url + "/repos",
        "events_url": url + "/events{/privacy}",
        "received_events_url": url + "/received_events",
        "type": "User",
        "site_admin": False,
    }
    return orjson.Fragment(orjson.dumps(user))


def node_id(number: int) -> str:
    """A GraphQL node id, as later Events-API objects carry."""
    return f"MDQ6VXNlcj{number:010d}"


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()
