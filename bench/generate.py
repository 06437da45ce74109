"""Deterministic generator of realistic GH Archive hour files (Events API format, 2015+).

    python -m bench.generate --style 2020 --mb-uncompressed 430 --hours 1 --out bench/.data/gen

Writes ``YYYY-MM-DD-H.json.gz`` (gzip -6) into ``OUT/<style>-<mb>mb-<hours>h-s<seed>/`` and a
``manifest.json`` last; an existing manifest with the same parameters means nothing is regenerated.
Each hour has its own RNG stream, so a file's bytes depend only on (style, mb, seed, hour index).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import orjson

GENERATOR_VERSION = 1
MB = 1_000_000
API = "https://api.github.com"


@dataclass(frozen=True)
class Style:
    """Era-specific shape of an hour: event mix, text sizes, first hour and ids."""

    start: datetime
    first_event_id: int
    mix: dict[str, float]  # event type -> share of events
    body_chars: tuple[int, int]  # median and cap of issue / PR body lengths
    modern: bool  # 2020-era fields: node_id, display_login, org, PR reviewers


STYLES: dict[str, Style] = {
    # Shares as in the real 2015-01-01-1 hour: pushes are ~56% of events and ~30% of bytes.
    "2015": Style(
        start=datetime(2015, 1, 5, tzinfo=UTC),
        first_event_id=2_500_000_000,
        mix={
            "PushEvent": 0.56,
            "CreateEvent": 0.10,
            "IssueCommentEvent": 0.088,
            "WatchEvent": 0.087,
            "IssuesEvent": 0.044,
            "PullRequestEvent": 0.04,
            "ForkEvent": 0.03,
            "PullRequestReviewCommentEvent": 0.012,
            "DeleteEvent": 0.011,
        },
        body_chars=(200, 4_000),
        modern=False,
    ),
    # Many large pull-request payloads with long bodies: bytes dominated by non-push events.
    "2020": Style(
        start=datetime(2020, 6, 10, tzinfo=UTC),
        first_event_id=12_600_000_000,
        mix={
            "PushEvent": 0.50,
            "CreateEvent": 0.11,
            "PullRequestEvent": 0.10,
            "IssueCommentEvent": 0.08,
            "WatchEvent": 0.07,
            "PullRequestReviewCommentEvent": 0.04,
            "IssuesEvent": 0.04,
            "DeleteEvent": 0.04,
            "ForkEvent": 0.02,
        },
        body_chars=(1_500, 20_000),
        modern=True,
    ),
}

_WORDS = (
    "fix add update remove refactor bump merge branch test docs readme build config release "
    "version typo cleanup support handle error issue bug feature api client server parser "
    "module function class method variable value return default option setting path file "
    "data cache index query schema table column row event user repo commit push pull request "
    "review comment label milestone workflow action deploy docker image container service "
    "memory leak performance improve optimize initial implement allow prevent check validate "
    "the a an of to in for on with from by and or not is are was be this that it when if "
    "größe änderung fehler behoben 修正 追加 更新 削除 исправление обновление ошибка 🎉 ✨ 🐛"
)
WORDS = _WORDS.split()
DOMAINS = ["gmail.com", "users.noreply.github.com", "example.org", "outlook.com", "qq.com"]
_FIRST = "Alex Maria Wei Juan Anna Olga Pierre Yuki Sam Priya Ahmed Lena Tom Chen Ivan Sara"
_LAST = "Smith Müller Wang García Kowalski Rossi Tanaka Silva Nguyen Ivanov Kim Dubois"
FIRST, LAST = _FIRST.split(), _LAST.split()


SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in "aeiou"] + ["er", "in", "on", "st"]


def _word(rng: random.Random) -> str:
    return "".join(rng.choices(SYLLABLES, k=rng.randint(1, 4)))


@cache
def _pools(seed: int) -> tuple[list[tuple[int, str, str]], list[tuple[int, str]], str]:
    """Users (id, login, display name), repos (id, 'owner/name') and a text corpus."""
    rng = random.Random(f"pools-{seed}")
    users = []
    for _ in range(40_000):
        login = _word(rng) + (str(rng.randint(1, 999)) if rng.random() < 0.3 else "")
        name = "" if rng.random() < 0.03 else f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        users.append((rng.randint(1, 60_000_000), login, name))
    repos = [
        (rng.randint(1, 270_000_000), f"{rng.choice(users)[1]}/{_word(rng)}-{_word(rng)}")
        for _ in range(60_000)
    ]
    words = WORDS + [_word(rng) for _ in range(3_000)]
    zipf = [1 / (rank + 1) for rank in range(len(words))]  # a few words dominate, as in prose
    parts: list[str] = []
    for w in rng.choices(words, zipf, k=400_000):
        parts.append(w)
        r = rng.random()
        parts.append("\n\n" if r < 0.01 else "\r\n- " if r < 0.02 else ". " if r < 0.08 else " ")
    return users, repos, "".join(parts)


class HourWriter:
    """Builds the events of one hour with its own RNG stream."""

    def __init__(self, style: Style, seed: int, index: int, target_bytes: int) -> None:
        self.s = style
        self.rng = random.Random(f"hour-{style.start:%Y}-{seed}-{index}-{target_bytes}")
        self.users, self.repos, self.corpus = _pools(seed)
        self.hour = style.start + timedelta(hours=index)
        self.event_id = style.first_event_id + index * 1_000_000
        self.push_id = 500_000_000 + style.first_event_id // 20 + index * 500_000
        self.target = target_bytes
        self.written = 0
        self.types = list(style.mix)
        self.weights = list(style.mix.values())

    # --- small pieces -------------------------------------------------------------------------
    def sha(self) -> str:
        return f"{self.rng.getrandbits(160):040x}"

    def text(self, median: int, cap: int) -> str:
        """Slice of the corpus with a log-normal length (multi-line, some non-ASCII)."""
        n = min(cap, max(1, int(self.rng.lognormvariate(0, 1.0) * median)))
        start = self.rng.randrange(len(self.corpus) - cap - 1)
        return self.corpus[start : start + n]

    def message(self) -> str:
        r = self.rng.random()
        if r < 0.85:
            return self.text(35, 120).strip() or "update"
        if r < 0.995:
            return self.text(35, 80).strip() + "\n\n" + self.text(150, 2_000)
        return self.text(3_000, 8_000)

    def email(self) -> str:
        r = self.rng.random()
        if r < 0.90:
            return f"{self.sha()}@{self.rng.choice(DOMAINS)}"
        return self.sha() if r < 0.97 else ""

    def ts(self, days_back: float = 0.0) -> str:
        frac = min(self.written / self.target, 0.9997)
        t = self.hour + timedelta(seconds=int(frac * 3600) - int(days_back * 86400))
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")

    def old_ts(self) -> str:
        return self.ts(self.rng.uniform(0.01, 900))

    # --- nested objects -----------------------------------------------------------------------
    def actor(self, u: tuple[int, str, str]) -> dict[str, Any]:
        uid, login, _ = u
        a: dict[str, Any] = {"id": uid, "login": login}
        if self.s.modern:
            a["display_login"] = login
        a |= {"gravatar_id": "", "url": f"{API}/users/{login}"}
        a["avatar_url"] = f"https://avatars.githubusercontent.com/u/{uid}?"
        return a

    def user(self, u: tuple[int, str, str]) -> orjson.Fragment:
        return _user_fragment(u, self.s.modern)

    def repo_full(self, rid: int, full: str, owner: tuple[int, str, str]) -> dict[str, Any]:
        """The ~70-key repository object of fork and pull-request payloads."""
        url = f"{API}/repos/{full}"
        r: dict[str, Any] = {"id": rid}
        if self.s.modern:
            r["node_id"] = _node_id(rid)
        r |= {
            "name": full.split("/")[1],
            "full_name": full,
            "private": False,
            "owner": self.user(owner),
            "html_url": f"https://github.com/{full}",
            "description": self.text(40, 200),
            "fork": self.rng.random() < 0.3,
            "url": url,
        }
        r |= {f"{k}_url": url + v for k, v in REPO_URLS}
        r |= {
            "created_at": self.old_ts(),
            "updated_at": self.old_ts(),
            "pushed_at": self.old_ts(),
            "git_url": f"git://github.com/{full}.git",
            "ssh_url": f"git@github.com:{full}.git",
            "clone_url": f"https://github.com/{full}.git",
            "svn_url": f"https://github.com/{full}",
            "homepage": None,
            "size": self.rng.randint(0, 500_000),
            "stargazers_count": self.rng.randint(0, 5_000),
            "watchers_count": self.rng.randint(0, 5_000),
            "language": self.rng.choice(["Python", "JavaScript", "Go", "Java", None]),
            "has_issues": True,
            "has_projects": True,
            "has_downloads": True,
            "has_wiki": True,
            "has_pages": False,
            "forks_count": self.rng.randint(0, 900),
            "mirror_url": None,
            "archived": False,
            "disabled": False,
            "open_issues_count": self.rng.randint(0, 300),
            "license": None,
            "forks": self.rng.randint(0, 900),
            "open_issues": self.rng.randint(0, 300),
            "watchers": self.rng.randint(0, 5_000),
            "default_branch": "master",
        }
        return r

    def issue(self, full: str, number: int, pr: bool = False) -> dict[str, Any]:
        url = f"{API}/repos/{full}/issues/{number}"
        iid = self.rng.randint(10_000_000, 700_000_000)
        d: dict[str, Any] = {
            "url": url,
            "repository_url": f"{API}/repos/{full}",
            "labels_url": url + "/labels{/name}",
            "comments_url": url + "/comments",
            "events_url": url + "/events",
            "html_url": f"https://github.com/{full}/{'pull' if pr else 'issues'}/{number}",
            "id": iid,
        }
        if self.s.modern:
            d["node_id"] = _node_id(iid)
        d |= {
            "number": number,
            "title": self.text(40, 120).strip(),
            "user": self.user(self.rng.choice(self.users)),
            "labels": [],
            "state": self.rng.choice(["open", "closed"]),
            "locked": False,
            "assignee": None,
            "assignees": [],
            "milestone": None,
            "comments": self.rng.randint(0, 40),
            "created_at": self.old_ts(),
            "updated_at": self.ts(),
            "closed_at": None,
            "author_association": "NONE",
            "body": self.text(*self.s.body_chars),
        }
        return d

    def comment(self, full: str, number: int) -> dict[str, Any]:
        cid = self.rng.randint(100_000_000, 900_000_000)
        return {
            "url": f"{API}/repos/{full}/issues/comments/{cid}",
            "html_url": f"https://github.com/{full}/issues/{number}#issuecomment-{cid}",
            "issue_url": f"{API}/repos/{full}/issues/{number}",
            "id": cid,
            "user": self.user(self.rng.choice(self.users)),
            "created_at": self.ts(),
            "updated_at": self.ts(),
            "author_association": "CONTRIBUTOR",
            "body": self.text(self.s.body_chars[0] // 3, self.s.body_chars[1] // 4),
        }

    def pull_request(self, rid: int, full: str, number: int) -> dict[str, Any]:
        url = f"{API}/repos/{full}/pulls/{number}"
        pid = self.rng.randint(10_000_000, 500_000_000)
        owner = self.rng.choice(self.users)
        head_user = self.rng.choice(self.users)
        merged = self.rng.random() < 0.4
        side = {
            name: {
                "label": f"{u[1]}:{ref}",
                "ref": ref,
                "sha": self.sha(),
                "user": self.user(u),
                "repo": self.repo_full(r_id, r_full, u),
            }
            for name, u, ref, r_id, r_full in (
                (
                    "head",
                    head_user,
                    _branch(self.rng),
                    rid + 1,
                    f"{head_user[1]}/{full.split('/')[1]}",
                ),
                ("base", owner, "master", rid, full),
            )
        }
        pr: dict[str, Any] = {"url": url, "id": pid}
        if self.s.modern:
            pr["node_id"] = _node_id(pid)
        pr |= {
            "html_url": f"https://github.com/{full}/pull/{number}",
            "diff_url": f"https://github.com/{full}/pull/{number}.diff",
            "patch_url": f"https://github.com/{full}/pull/{number}.patch",
            "issue_url": f"{API}/repos/{full}/issues/{number}",
            "number": number,
            "state": "closed" if merged else "open",
            "locked": False,
            "title": self.text(40, 120).strip(),
            "user": self.user(head_user),
            "body": self.text(*self.s.body_chars),
            "created_at": self.old_ts(),
            "updated_at": self.ts(),
            "closed_at": self.ts() if merged else None,
            "merged_at": self.ts() if merged else None,
            "merge_commit_sha": self.sha(),
            "assignee": None,
            "assignees": [],
        }
        if self.s.modern:
            pr |= {"requested_reviewers": [self.user(self.rng.choice(self.users))]}
            pr |= {"requested_teams": [], "labels": [], "milestone": None, "draft": False}
        pr |= {
            "commits_url": url + "/commits",
            "review_comments_url": url + "/comments",
            "review_comment_url": f"{API}/repos/{full}/pulls/comments{{/number}}",
            "comments_url": f"{API}/repos/{full}/issues/{number}/comments",
            "statuses_url": f"{API}/repos/{full}/statuses/{side['head']['sha']}",
            **side,
            "_links": {
                k: {"href": v}
                for k, v in (
                    ("self", url),
                    ("html", f"https://github.com/{full}/pull/{number}"),
                    ("issue", f"{API}/repos/{full}/issues/{number}"),
                    ("comments", f"{API}/repos/{full}/issues/{number}/comments"),
                    ("review_comments", url + "/comments"),
                    ("commits", url + "/commits"),
                )
            },
            "author_association": "CONTRIBUTOR",
            "merged": merged,
            "mergeable": None,
            "merged_by": self.user(owner) if merged else None,
            "comments": self.rng.randint(0, 30),
            "review_comments": self.rng.randint(0, 30),
            "maintainer_can_modify": False,
            "commits": self.rng.randint(1, 60),
            "additions": self.rng.randint(0, 3_000),
            "deletions": self.rng.randint(0, 3_000),
            "changed_files": self.rng.randint(1, 80),
        }
        return pr

    # --- payloads -----------------------------------------------------------------------------
    def push(self, actor: tuple[int, str, str], full: str) -> tuple[dict[str, Any], int]:
        rng = self.rng
        n = 0 if rng.random() < 0.02 else min(20, int(rng.paretovariate(1.7)))
        size = n if n < 20 or rng.random() < 0.6 else int(20 * rng.paretovariate(0.8))
        author = actor if rng.random() < 0.7 else rng.choice(self.users)
        email = self.email()
        commits = []
        for _ in range(n):
            if rng.random() < 0.15:
                author, email = rng.choice(self.users), self.email()
            sha = self.sha()
            commits.append(
                {
                    "sha": sha,
                    "author": {"email": email, "name": author[2]},
                    "message": self.message(),
                    "distinct": rng.random() < 0.95,
                    "url": f"{API}/repos/{full}/commits/{sha}",
                }
            )
        before = self.sha()
        r = rng.random()
        ref = (
            f"refs/heads/{_branch(rng)}"
            if r < 0.95
            else f"refs/tags/v{rng.randint(0, 9)}.{rng.randint(0, 30)}"
            if r < 0.995
            else "refs/notes/commits"
        )
        self.push_id += rng.randint(1, 4)
        payload = {
            "push_id": self.push_id,
            "size": size,
            "distinct_size": sum(c["distinct"] for c in commits) + size - n,
            "ref": ref,
            "head": commits[-1]["sha"] if commits else before,
            "before": before,
            "commits": commits,
        }
        return payload, n

    def payload(self, kind: str, rid: int, full: str) -> dict[str, Any]:
        rng = self.rng
        number = rng.randint(1, 30_000)
        match kind:
            case "CreateEvent":
                ref_type = rng.choice(["branch", "branch", "tag", "repository"])
                return {
                    "ref": None if ref_type == "repository" else _branch(rng),
                    "ref_type": ref_type,
                    "master_branch": "master",
                    "description": self.text(40, 200) if rng.random() < 0.5 else None,
                    "pusher_type": "user",
                }
            case "DeleteEvent":
                return {"ref": _branch(rng), "ref_type": "branch", "pusher_type": "user"}
            case "WatchEvent":
                return {"action": "started"}
            case "ForkEvent":
                owner = rng.choice(self.users)
                return {
                    "forkee": self.repo_full(rid + 7, f"{owner[1]}/{full.split('/')[1]}", owner)
                }
            case "IssuesEvent":
                action = rng.choice(["opened", "closed", "reopened"])
                return {"action": action, "issue": self.issue(full, number)}
            case "IssueCommentEvent":
                return {
                    "action": "created",
                    "issue": self.issue(full, number, pr=rng.random() < 0.3),
                    "comment": self.comment(full, number),
                }
            case "PullRequestEvent":
                action = rng.choice(["opened", "closed", "synchronize", "reopened"])
                pr = self.pull_request(rid, full, number)
                return {"action": action, "number": number, "pull_request": pr}
            case "PullRequestReviewCommentEvent":
                comment = self.comment(full, number) | {
                    "path": "src/" + _branch(rng) + ".py",
                    "diff_hunk": self.text(600, 3_000),
                    "commit_id": self.sha(),
                    "original_commit_id": self.sha(),
                }
                pr = self.pull_request(rid, full, number)
                return {"action": "created", "comment": comment, "pull_request": pr}
        raise ValueError(kind)

    def events(self) -> Iterator[tuple[bytes, str, int]]:
        """Yield (line, type, commits) until the uncompressed target size is reached."""
        rng = self.rng
        while self.written < self.target:
            kind = rng.choices(self.types, self.weights)[0]
            actor = rng.choice(self.users)
            rid, full = rng.choice(self.repos)
            n = 0
            if kind == "PushEvent":
                payload, n = self.push(actor, full)
            else:
                payload = self.payload(kind, rid, full)
            self.event_id += rng.randint(1, 3)
            event = {
                "id": str(self.event_id),
                "type": kind,
                "actor": self.actor(actor),
                "repo": {"id": rid, "name": full, "url": f"{API}/repos/{full}"},
                "payload": payload,
                "public": True,
                "created_at": self.ts(),
            }
            if self.s.modern and rng.random() < 0.25:
                org = rng.choice(self.users)
                event["org"] = {
                    "id": org[0],
                    "login": org[1],
                    "gravatar_id": "",
                    "url": f"{API}/orgs/{org[1]}",
                    "avatar_url": f"https://avatars.githubusercontent.com/u/{org[0]}?",
                }
            line = orjson.dumps(event) + b"\n"
            self.written += len(line)
            yield line, kind, n


REPO_URLS = [
    (k, v)
    for k, v in (
        ("forks", "/forks"),
        ("keys", "/keys{/key_id}"),
        ("collaborators", "/collaborators{/collaborator}"),
        ("teams", "/teams"),
        ("hooks", "/hooks"),
        ("issue_events", "/issues/events{/number}"),
        ("events", "/events"),
        ("assignees", "/assignees{/user}"),
        ("branches", "/branches{/branch}"),
        ("tags", "/tags"),
        ("blobs", "/git/blobs{/sha}"),
        ("git_tags", "/git/tags{/sha}"),
        ("git_refs", "/git/refs{/sha}"),
        ("trees", "/git/trees{/sha}"),
        ("statuses", "/statuses/{sha}"),
        ("languages", "/languages"),
        ("stargazers", "/stargazers"),
        ("contributors", "/contributors"),
        ("subscribers", "/subscribers"),
        ("subscription", "/subscription"),
        ("commits", "/commits{/sha}"),
        ("git_commits", "/git/commits{/sha}"),
        ("comments", "/comments{/number}"),
        ("issue_comment", "/issues/comments{/number}"),
        ("contents", "/contents/{+path}"),
        ("compare", "/compare/{base}...{head}"),
        ("merges", "/merges"),
        ("archive", "/{archive_format}{/ref}"),
        ("downloads", "/downloads"),
        ("issues", "/issues{/number}"),
        ("pulls", "/pulls{/number}"),
        ("milestones", "/milestones{/number}"),
        ("notifications", "/notifications{?since,all,participating}"),
        ("labels", "/labels{/name}"),
        ("releases", "/releases{/id}"),
        ("deployments", "/deployments"),
    )
]


def _node_id(n: int) -> str:
    return f"MDQ6VXNlcj{n:010d}"


def _branch(rng: random.Random) -> str:
    return rng.choice(["master", "main", "develop", "gh-pages", f"feature/{rng.randint(1, 9999)}"])


@cache
def _user_fragment(u: tuple[int, str, str], modern: bool) -> orjson.Fragment:
    """The 18-key user object of issues, comments and PRs, serialised once per user."""
    uid, login, _ = u
    url = f"{API}/users/{login}"
    d: dict[str, Any] = {"login": login, "id": uid}
    if modern:
        d["node_id"] = _node_id(uid)
    d |= {
        "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v={4 if modern else 3}",
        "gravatar_id": "",
        "url": url,
        "html_url": f"https://github.com/{login}",
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
    return orjson.Fragment(orjson.dumps(d))


def file_name(style: str, index: int) -> str:
    """GH Archive name of hour ``index`` after the style's first hour (hour not zero-padded)."""
    t = STYLES[style].start + timedelta(hours=index)
    return f"{t:%Y-%m-%d}-{t.hour}.json.gz"


def write_hour(style: str, seed: int, index: int, mb: float, out: Path) -> dict[str, Any]:
    """Generate one hour, piping it through ``gzip -6 -n`` (deterministic bytes)."""
    path = out / file_name(style, index)
    tmp = path.with_suffix(".tmp")
    writer = HourWriter(STYLES[style], seed, index, int(mb * MB))
    counts = {"events": 0, "push_events": 0, "commits": 0}
    with tmp.open("wb") as f:
        gz = subprocess.Popen(["gzip", "-6", "-n", "-c"], stdin=subprocess.PIPE, stdout=f)
        assert gz.stdin is not None
        buf: list[bytes] = []
        for line, kind, n in writer.events():
            buf.append(line)
            counts["events"] += 1
            counts["push_events"] += kind == "PushEvent"
            counts["commits"] += n
            if len(buf) >= 2_000:
                gz.stdin.write(b"".join(buf))
                buf.clear()
        gz.stdin.write(b"".join(buf))
        gz.stdin.close()
        if gz.wait():
            raise RuntimeError(f"gzip failed for {path}")
    tmp.rename(path)
    return {"file": path.name, "bytes": writer.written, **counts}


def ensure(style: str, mb: float, hours: int, seed: int, out: Path) -> list[Path]:
    """Return the hour files for these parameters, generating them unless cached."""
    params = {"version": GENERATOR_VERSION, "style": style, "mb": mb, "hours": hours, "seed": seed}
    d = out / f"{style}-{mb:g}mb-{hours}h-s{seed}"
    manifest = d / "manifest.json"
    if manifest.exists() and json.loads(manifest.read_text())["params"] == params:
        return [d / f["file"] for f in json.loads(manifest.read_text())["files"]]
    d.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(max_workers=min(hours, 2)) as ex:
        jobs = [ex.submit(write_hour, style, seed, i, mb, d) for i in range(hours)]
        files = [j.result() for j in jobs]
    manifest.write_text(json.dumps({"params": params, "files": files}, indent=1))
    return [d / f["file"] for f in files]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--mb-uncompressed", type=float, default=100.0, help="per hour, MB = 1e6 B")
    p.add_argument("--style", choices=sorted(STYLES), default="2015")
    p.add_argument("--hours", type=int, default=1)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--out", type=Path, default=Path(__file__).parent / ".data" / "gen")
    a = p.parse_args()
    for f in ensure(a.style, a.mb_uncompressed, a.hours, a.seed, a.out):
        print(f)


if __name__ == "__main__":
    main()
