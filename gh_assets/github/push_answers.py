"""What GitHub says a push added: one question per kind of push, answered or refused with a cause.

- an ordinary push (fast-forward or force push): `compare/{before}...{head}`, the commits `head`
  has that `before` has not, which for a force push is what `head` adds over the merge base;
- a new branch or tag (`before` all zeros): the commits of `head` not on the default branch,
  `compare/{default}...{head}`; when that cannot be told (the push creates the default branch
  itself, or the two share no history) just `head`;
- a deleted branch (`head` all zeros), or a push that moved nothing: no commits, no request.

Answers come from the cache when an earlier run fetched them, and go into it otherwise: kept by
`before` and `head`, or for a new ref by the ref and `head`.
"""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from gh_assets.github.client import ApiRefusal, GitHubClient
from gh_assets.github.emails import scramble_email
from gh_assets.github.rate_limit import WaitTooLong

if TYPE_CHECKING:
    from gh_assets.github.answer_cache import AnswerCache

ZERO_SHA = "0" * 40
PER_PAGE = 100  # the compare endpoint's documented page maximum

# How an answered push was answered (the run's metadata counts each).
KINDS = {
    "fast_forward": "compared with `before` (GitHub: ahead)",
    "force_push": "compared with `before`, which `head` does not contain (GitHub: diverged or "
    "behind): what `head` adds over the merge base",
    "unchanged": "`before` equals `head`: no commits",
    "new_branch": "a new branch or tag, compared with the default branch",
    "new_branch_head_only": "a new branch or tag whose commits cannot be told apart from the "
    "default branch's: `head` alone",
    "deleted_branch": "a deleted branch or tag: no commits",
}
_COMPARE_KINDS = {"ahead": "fast_forward", "identical": "unchanged"}


@dataclass(frozen=True)
class ListlessPush:
    """A push of `push_events` without a commit list: what asking about it needs and keeps."""

    event_id: str
    push_id: int | None
    created_at: dt.datetime
    user: str
    repo: str
    ref: str
    head: str
    before: str | None
    source_file: str


@dataclass(frozen=True)
class ApiCommit:
    """A commit as stored: the author's email already scrambled."""

    sha: str
    author_name: str | None
    author_email: str | None
    message: str | None


@dataclass(frozen=True)
class PushAnswer:
    kind: str
    commits: tuple[ApiCommit, ...]
    from_cache: bool = False


@dataclass(frozen=True)
class PushOutcome:
    """A push asked about: its answer, or the cause it has none (a key of report.CAUSES)."""

    push: ListlessPush
    answer: PushAnswer | None = None
    cause: str | None = None


class PushAsker:
    """Asks GitHub about pushes, from several threads; one default-branch lookup per repository."""

    def __init__(self, client: GitHubClient, cache: AnswerCache) -> None:
        self.client = client
        self.cache = cache
        self._default_branches: dict[str, Future[str]] = {}
        self._lock = threading.Lock()

    def outcome(self, push: ListlessPush) -> PushOutcome:
        """The push's answer, or the cause it has none; only a GitHubError escapes."""
        try:
            return PushOutcome(push, answer=self.answer(push))
        except ApiRefusal as refusal:
            return PushOutcome(push, cause=refusal.cause)
        except WaitTooLong:
            return PushOutcome(push, cause="stopped_for_rate_limit")

    def answer(self, push: ListlessPush) -> PushAnswer:
        if push.head == ZERO_SHA:
            return PushAnswer("deleted_branch", ())
        if push.before == push.head:
            return PushAnswer("unchanged", ())
        before = push.before or ZERO_SHA
        # what the answer is relative to: `before`, or for a new ref the ref itself (created as
        # the default branch or another, the same head has two answers)
        base = push.ref if before == ZERO_SHA else before
        cached = self.cache.get(push.repo, base, push.head)
        if cached is not None:
            return cached
        if before == ZERO_SHA:
            answer = self._new_ref(push)
        else:
            status, commits = self._compare(push.repo, before, push.head)
            answer = PushAnswer(_COMPARE_KINDS.get(status, "force_push"), commits)
        self.cache.put(push.repo, base, push.head, answer)
        return answer

    def _new_ref(self, push: ListlessPush) -> PushAnswer:
        default = self._default_branch(push.repo)
        if push.ref != f"refs/heads/{default}":
            try:
                return PushAnswer("new_branch", self._compare(push.repo, default, push.head)[1])
            except ApiRefusal as refusal:
                if refusal.cause != "not_found":  # 404: no history shared with the default
                    raise  # branch (an unknown head is then refused by the lookup below)
        return PushAnswer("new_branch_head_only", (self._commit(push.repo, push.head),))

    def _compare(self, repo: str, base: str, head: str) -> tuple[str, tuple[ApiCommit, ...]]:
        """GitHub's comparison status and the commits `head` adds, oldest first, every page."""
        path = f"/repos/{repo}/compare/{quote(base, safe='')}...{quote(head, safe='')}"
        first, commits = self.client.get_pages(path, {"per_page": PER_PAGE}, "commits")
        total = first.get("total_commits")
        if total != len(commits):
            raise ApiRefusal(
                "unexpected_answer", f"{path}: {len(commits)} commits listed of {total}"
            )
        return str(first.get("status")), tuple(_api_commit(commit) for commit in commits)

    def _commit(self, repo: str, sha: str) -> ApiCommit:
        return _api_commit(self.client.get(f"/repos/{repo}/commits/{quote(sha, safe='')}"))

    def _default_branch(self, repo: str) -> str:
        """The repository's default branch, asked once per run (a refusal is remembered too);
        a thread that needs it while another asks waits for that answer, and only for it."""
        with self._lock:
            known = self._default_branches.get(repo)
            asking = known is None
            if asking:
                known = self._default_branches[repo] = Future()
        if asking:
            try:
                found = self.client.get(f"/repos/{repo}").get("default_branch")
                if not isinstance(found, str):
                    raise ApiRefusal("unexpected_answer", f"/repos/{repo}: no default_branch")
                known.set_result(found)
            except Exception as exc:  # a refusal, or the run's stop: every asker gets it
                known.set_exception(exc)
        return known.result()


def _api_commit(item: dict) -> ApiCommit:
    """A commit of a compare or commit answer, its author's email scrambled."""
    try:
        details = item["commit"]
        author = details.get("author") or {}
        return ApiCommit(
            sha=item["sha"],
            author_name=author.get("name"),
            author_email=scramble_email(author.get("email")),
            message=details.get("message"),
        )
    except (KeyError, TypeError, AttributeError):
        raise ApiRefusal("unexpected_answer", "a commit without sha or details") from None
