"""A fake GitHub REST API on loopback (real HTTP) holding repositories as commit graphs.

It answers what `api_commits` asks, computed from its own graphs:
- `GET /repos/{owner}/{repo}`: the repository and its `default_branch`;
- `GET /repos/{owner}/{repo}/commits/{ref}`: one commit;
- `GET /repos/{owner}/{repo}/compare/{base}...{head}`: the commits reachable from head and not from
  base, oldest first, with `status`, `ahead_by`, `behind_by` and `total_commits`; paged as GitHub
  documents it: with `per_page` or `page`, pages of at most 100 with `Link` headers, without
  either, only the 250 most recent commits.
An unknown repository is a 404, an unknown commit a 422, an empty repository a 409, two histories
without a common ancestor a 404. Every answer carries `X-RateLimit-*` headers from a budget per
window; programmed faults give a primary-limit 403 (remaining 0, reset 2 s ahead), a secondary-limit
429 (`Retry-After: 1`), a secondary-limit 403 without `Retry-After` (blocking for
`secondary_block_seconds`), a 403 that is no rate limit, or a 502. A request that comes while
GitHub said to wait is answered as GitHub would (403/429 again) and recorded as a violation; one
without the right token is a 401.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from gh_assets_tests.harnesses.loopback_server import LoopbackServer

FAULT_KINDS = ("primary_403", "secondary_429", "secondary_403", "forbidden_403", "status_502")
MAX_PER_PAGE = 100
UNPAGED_LIMIT = 250
PRIMARY_RESET_SECONDS = 2
SECONDARY_RETRY_AFTER_SECONDS = 1
IN_FLIGHT_GRACE_SECONDS = 0.1


@dataclass(frozen=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    message: str
    order: int


@dataclass
class Repo:
    """A repository: commits (each created after its parents), branches, a default branch."""

    full_name: str
    default_branch: str = "main"
    commits: dict[str, Commit] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)

    def commit(self, parents: tuple[str, ...], author_name: str, author_email: str, message: str):
        order = len(self.commits)
        sha = hashlib.sha1(f"{self.full_name}/{order}/{parents}/{message}".encode()).hexdigest()
        self.commits[sha] = Commit(sha, parents, author_name, author_email, message, order)
        return self.commits[sha]

    def ancestors(self, sha: str) -> set[str]:
        """The commit and every commit it reaches through its parents."""
        seen, stack = set(), [sha]
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(self.commits[current].parents)
        return seen

    def resolve(self, ref: str) -> str | None:
        return ref if ref in self.commits else self.branches.get(ref)


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    query: str
    status: int
    fault: str | None
    authorized: bool


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        self.server.owner._serve(self)

    def log_message(self, format: str, *args: object) -> None:
        """Silence the default access log; the fake keeps its own."""


class _Server(ThreadingHTTPServer):
    owner: FakeGitHub


class FakeGitHub(LoopbackServer):
    """Serves repositories on 127.0.0.1 to clients holding `token`."""

    handler = _Handler
    server_class = _Server

    def __init__(
        self,
        token: str,
        *,
        rate_limit: int = 5000,
        window_seconds: int = 3600,
        latency_seconds: float = 0.0,
        secondary_block_seconds: float = 60.0,
    ) -> None:
        super().__init__()
        self.token = token
        self.rate_limit = rate_limit
        self.window_seconds = window_seconds
        self.latency_seconds = latency_seconds
        self.secondary_block_seconds = secondary_block_seconds
        self.repos: dict[str, Repo] = {}
        self.delays: dict[str, float] = {}  # extra latency by path (no query)
        self.arrived: list[str] = []  # paths as requests arrive, before they are answered
        self.requests: list[RecordedRequest] = []
        self.violations: list[str] = []
        self.max_in_flight = 0
        self._in_flight = 0
        self._faults: dict[str, deque[str]] = {}
        self._remaining = rate_limit
        self._reset_at = 0
        self._retry_after_until = 0.0
        self._limit_announced_at = 0.0
        self._lock = threading.Lock()

    # set-up

    def add_repo(self, repo: Repo) -> Repo:
        self.repos[repo.full_name.lower()] = repo
        return repo

    def add_faults(self, path: str, *kinds: str) -> None:
        """Queue faults for a path (no query), one per request to it, in order."""
        unknown = set(kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}")
        with self._lock:
            self._faults.setdefault(path, deque()).extend(kinds)

    def faults_left(self) -> dict[str, list[str]]:
        with self._lock:
            return {path: list(kinds) for path, kinds in self._faults.items() if kinds}

    def paths(self, prefix: str = "/") -> list[str]:
        """The paths asked so far (with their query), in order."""
        with self._lock:
            return [
                f"{r.path}?{r.query}" if r.query else r.path
                for r in self.requests
                if r.path.startswith(prefix)
            ]

    # serving

    def _serve(self, handler: _Handler) -> None:
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            self._answer(handler)
        finally:
            with self._lock:
                self._in_flight -= 1

    def _answer(self, handler: _Handler) -> None:
        """Judge the request as it arrives (budget, faults), then answer after the latency."""
        split = urlsplit(handler.path)
        path, query = unquote(split.path), split.query
        authorized = handler.headers.get("Authorization") == f"Bearer {self.token}"
        status, body, headers, fault = 401, {"message": "Bad credentials"}, {}, None
        with self._lock:
            self.arrived.append(path)
            if authorized:
                fault = self._take_fault(path)
                status, body, headers = self._limited(path, fault, time.time())
                if status is None:
                    self._remaining -= 1
                if status is not None or self._remaining == 0:
                    self._limit_announced_at = time.time()
            budget = self._budget_headers()
        time.sleep(self.latency_seconds + self.delays.get(path, 0.0))
        if status is None:
            status, body, headers = self._route(path, parse_qs(query))
        with self._lock:
            self.requests.append(RecordedRequest(path, query, status, fault, authorized))
        payload = json.dumps(body).encode()
        handler.send_response(status)
        for key, value in {**budget, **headers}.items():
            handler.send_header(key, value)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def _take_fault(self, path: str) -> str | None:
        queue = self._faults.get(path)
        return queue.popleft() if queue else None

    def _limited(
        self, path: str, fault: str | None, now: float
    ) -> tuple[int | None, Any, dict[str, str]]:
        """A rate-limit or fault answer, or (None, ...) to serve the request.

        A request that comes while a limit holds is answered as GitHub would; it is a violation
        unless it left the client before the client could have read the limit's answer (sent
        within IN_FLIGHT_GRACE_SECONDS of it, by another thread).
        """
        if now >= self._reset_at:
            self._remaining, self._reset_at = self.rate_limit, int(now) + self.window_seconds
        early = now > self._limit_announced_at + IN_FLIGHT_GRACE_SECONDS
        if now < self._retry_after_until:
            if early:
                self.violations.append(f"{path}: {self._retry_after_until - now:.2f} s early")
            wait = math.ceil(self._retry_after_until - now)
            return 429, _secondary_message(), {"Retry-After": str(wait)}
        if self._remaining <= 0:
            if early:
                self.violations.append(f"{path}: {self._reset_at - now:.2f} s before the reset")
            return 403, _primary_message(), {}
        if fault == "primary_403":
            self._remaining, self._reset_at = 0, int(now) + PRIMARY_RESET_SECONDS
            return 403, _primary_message(), {}
        if fault == "secondary_429":
            self._retry_after_until = now + SECONDARY_RETRY_AFTER_SECONDS
            return 429, _secondary_message(), {"Retry-After": str(SECONDARY_RETRY_AFTER_SECONDS)}
        if fault == "secondary_403":  # no retry-after: GitHub asks for at least a minute
            self._retry_after_until = now + self.secondary_block_seconds
            return 403, _secondary_message(), {}
        if fault == "forbidden_403":
            return 403, {"message": "Resource not accessible by personal access token"}, {}
        if fault == "status_502":
            return 502, {"message": "Server Error"}, {}
        return None, None, {}

    def _budget_headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.rate_limit),
            "X-RateLimit-Remaining": str(max(self._remaining, 0)),
            "X-RateLimit-Used": str(self.rate_limit - max(self._remaining, 0)),
            "X-RateLimit-Reset": str(self._reset_at),
            "X-RateLimit-Resource": "core",
        }

    def _route(self, path: str, query: dict[str, list[str]]) -> tuple[int, Any, dict[str, str]]:
        parts = path.strip("/").split("/", 4)
        if len(parts) < 3 or parts[0] != "repos":
            return 404, {"message": "Not Found"}, {}
        repo = self.repos.get(f"{parts[1]}/{parts[2]}".lower())
        if repo is None:
            return 404, {"message": "Not Found"}, {}
        if len(parts) == 3:
            return 200, {"full_name": repo.full_name, "default_branch": repo.default_branch}, {}
        if len(parts) == 5 and parts[3] == "commits":
            sha = repo.resolve(parts[4])
            if sha is None:
                return 422, {"message": f"No commit found for SHA: {parts[4]}"}, {}
            return 200, _commit_json(repo.commits[sha]), {}
        if len(parts) == 5 and parts[3] == "compare" and "..." in parts[4]:
            return self._compare(repo, path, *parts[4].split("...", 1), query)
        return 404, {"message": "Not Found"}, {}

    def _compare(
        self, repo: Repo, path: str, base_ref: str, head_ref: str, query: dict[str, list[str]]
    ) -> tuple[int, Any, dict[str, str]]:
        if not repo.commits:
            return 409, {"message": "Git Repository is empty."}, {}
        base, head = repo.resolve(base_ref), repo.resolve(head_ref)
        if base is None or head is None:
            unknown = base_ref if base is None else head_ref
            return 422, {"message": f"No commit found for SHA: {unknown}"}, {}
        base_reach, head_reach = repo.ancestors(base), repo.ancestors(head)
        common = base_reach & head_reach
        if not common:
            return 404, {"message": f"No common ancestor between {base_ref} and {head_ref}."}, {}
        added = sorted((repo.commits[sha] for sha in head_reach - base_reach), key=_order)
        status = (
            "identical"
            if base == head
            else "ahead"
            if base in head_reach
            else "behind"
            if head in base_reach
            else "diverged"
        )
        headers = {}
        if "per_page" in query or "page" in query:
            per_page = min(int(query.get("per_page", ["30"])[0]), MAX_PER_PAGE)
            page = int(query.get("page", ["1"])[0])
            listed = added[(page - 1) * per_page : page * per_page]
            last = max(1, math.ceil(len(added) / per_page))
            links = [(page + 1, "next")] if page < last else []
            links.append((last, "last"))
            headers["Link"] = ", ".join(
                f"<{self.base_url}{path}?{urlencode({'per_page': per_page, 'page': n})}>; "
                f'rel="{rel}"'
                for n, rel in links
            )
        else:
            listed = added[-UNPAGED_LIMIT:]
        merge_base = max((repo.commits[sha] for sha in common), key=_order)
        body = {
            "status": status,
            "ahead_by": len(head_reach - base_reach),
            "behind_by": len(base_reach - head_reach),
            "total_commits": len(added),
            "base_commit": _commit_json(repo.commits[base]),
            "merge_base_commit": _commit_json(merge_base),
            "commits": [_commit_json(commit) for commit in listed],
            "files": [],
        }
        return 200, body, headers


def _order(commit: Commit) -> int:
    return commit.order


def _commit_json(commit: Commit) -> dict[str, Any]:
    person = {
        "name": commit.author_name,
        "email": commit.author_email,
        "date": "2025-11-03T00:00:00Z",
    }
    return {
        "sha": commit.sha,
        "commit": {"author": person, "committer": person, "message": commit.message},
        "author": None,
        "committer": None,
        "parents": [{"sha": parent} for parent in commit.parents],
    }


def _primary_message() -> dict[str, str]:
    return {"message": "API rate limit exceeded for user ID 1."}


def _secondary_message() -> dict[str, str]:
    return {"message": "You have exceeded a secondary rate limit. Please wait a few minutes."}
