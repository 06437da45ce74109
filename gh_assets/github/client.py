"""GitHub's REST API over HTTP: rate limits obeyed, transient failures retried, pages followed.

The token is read from `GITHUB_TOKEN` in this process's environment each time a request is built
and goes nowhere but that request's `Authorization` header (requests drops it on a redirect to
another host); nothing here keeps it, prints it or puts it in an error. It is given as the
session's auth, so that requests keeps taking proxies and CA bundles from the environment
(`HTTPS_PROXY`, `REQUESTS_CA_BUNDLE`) but never a `~/.netrc` login in its place.

An answer that says a repository or commit is gone (404, 409, 422), or that never comes (5xx,
no connection, rate limited after every attempt), is an `ApiRefusal` with a cause the run counts;
a rate limit whose wait exceeds the run's bound ends the run's asking: every later request raises
`WaitTooLong` (rate_limit.py), while an answer that spent the budget is still used; only a refused
token (401) stops the run.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import Counter
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlparse

import requests
import requests.auth
from requests.adapters import HTTPAdapter

from gh_assets.archive.source import RetryPolicy
from gh_assets.github.rate_limit import RateLimitGate, WaitTooLong

DEFAULT_API_URL = "https://api.github.com"
TOKEN_VARIABLE = "GITHUB_TOKEN"
API_VERSION = "2022-11-28"
SECONDARY_WAIT_SECONDS = 60.0  # GitHub: a secondary limit without retry-after, wait a minute
TIMEOUT_SECONDS = 30.0
DEFAULT_RETRY = RetryPolicy(max_attempts=5, backoff_seconds=1.0)

_STATUS_CAUSES = {404: "not_found", 409: "conflict", 422: "unprocessable"}

log = logging.getLogger(__name__)


class GitHubError(RuntimeError):
    """GitHub cannot be asked at all: the run stops, saying why."""


class ApiRefusal(Exception):
    """GitHub gave no usable answer to one request; `cause` is a key of report.CAUSES."""

    def __init__(self, cause: str, detail: str) -> None:
        super().__init__(f"{cause}: {detail}")
        self.cause = cause


def validate_api_url(url: str) -> str:
    """The API's base URL without a trailing slash, or say why it cannot be used."""
    parsed = urlparse(url)
    if parsed.scheme in ("http", "https") and parsed.netloc:
        return url.rstrip("/")
    raise ValueError(
        f"{url!r} is not an http(s) URL; use https://api.github.com or, for GitHub Enterprise "
        "Server, https://HOST/api/v3"
    )


def require_token() -> None:
    """Fail, naming the variable, unless the environment has a token."""
    if not os.environ.get(TOKEN_VARIABLE):
        raise GitHubError(
            f"{TOKEN_VARIABLE} is not set in this process's environment: asking GitHub for the "
            "commits of followed repositories needs a token (a fine-grained token with read "
            "access to public repositories is enough)"
        )


class TokenFromEnvironment(requests.auth.AuthBase):
    """`Authorization: Bearer $GITHUB_TOKEN`, read as each request is sent (nothing is kept)."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        require_token()
        request.headers["Authorization"] = f"Bearer {os.environ[TOKEN_VARIABLE]}"
        return request


class GitHubClient:
    """GET requests to one API base URL from a few threads, sharing one rate-limit gate."""

    def __init__(
        self,
        api_url: str = DEFAULT_API_URL,
        *,
        timeout_seconds: float = TIMEOUT_SECONDS,
        retry: RetryPolicy = DEFAULT_RETRY,
        max_wait_seconds: float = 3600.0,
        secondary_wait_seconds: float = SECONDARY_WAIT_SECONDS,
        connections: int = 4,
    ) -> None:
        require_token()
        self.api_url = validate_api_url(api_url)
        self.timeout_seconds = timeout_seconds
        self.retry = retry
        self.secondary_wait_seconds = secondary_wait_seconds
        self.gate = RateLimitGate(max_wait_seconds)
        self._session = requests.Session()
        self._session.auth = TokenFromEnvironment()
        self._session.mount(self.api_url, HTTPAdapter(pool_maxsize=connections))
        self._session.headers.update(
            {
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION,
                "User-Agent": "gh_assets",
            }
        )
        self._lock = threading.Lock()
        self.statuses: Counter[str] = Counter()

    def __repr__(self) -> str:
        return f"GitHubClient({self.api_url!r})"

    def get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """The JSON object at `path` (below the base URL)."""
        return _json_object(self._get(f"{self.api_url}{path}", params), path)

    def get_pages(
        self, path: str, params: dict[str, Any], items: str
    ) -> tuple[dict[str, Any], list[Any]]:
        """The first page's object, and the `items` list of every page, following `Link: next`.

        GitHub asks clients to follow its Link headers rather than build page URLs ("Best
        practices for using the REST API"); a link off the API's own base URL is not followed,
        so the token never goes elsewhere.
        """
        response = self._get(f"{self.api_url}{path}", params)
        first = _json_object(response, path)
        collected = list(first.get(items) or [])
        while next_url := response.links.get("next", {}).get("url"):
            if not next_url.startswith(f"{self.api_url}/"):
                raise ApiRefusal("unexpected_answer", f"{path}: a next page off {self.api_url}")
            response = self._get(next_url, None)
            collected += _json_object(response, path).get(items) or []
        return first, collected

    def _get(self, url: str, params: dict[str, Any] | None) -> requests.Response:
        """One answer with status 200, after waits and retries; or ApiRefusal / GitHubError."""
        path = url.removeprefix(self.api_url)
        failures = 0
        while True:
            self.gate.wait_turn()
            try:
                response = self._session.get(url, params=params, timeout=self.timeout_seconds)
            except requests.RequestException as exc:
                self._count("no answer")
                cause, detail = "connection_error", f"{path}: {type(exc).__name__}: {exc}"[:500]
            else:
                self._count(str(response.status_code))
                if response.status_code == 200:
                    self._note_budget(response, path)
                    return response
                cause, detail = self._failure(response, path, failures)
            failures += 1
            if cause == "rate_limited" and self.gate.stopped:
                raise WaitTooLong(self.gate.stopped)
            if cause not in ("server_error", "connection_error", "rate_limited"):
                raise ApiRefusal(cause, detail)
            if failures >= self.retry.max_attempts:
                raise ApiRefusal(cause, f"{detail} (after {failures} attempts)")
            if cause != "rate_limited":  # a rate limit already closed the gate for its wait
                delay = self.retry.delay(failures)
                log.warning("GitHub %s, retrying in %.1f s", detail, delay)
                time.sleep(delay)

    def _count(self, status: str) -> None:
        with self._lock:
            self.statuses[status] += 1

    def _failure(self, response: requests.Response, path: str, failures: int) -> tuple[str, str]:
        """The cause of a non-200 answer; a rate limit closes the gate for its wait first."""
        status = response.status_code
        message = _message(response)
        detail = f"{path}: HTTP {status} {message}".rstrip()
        if status == 401:
            raise GitHubError(
                f"{self.api_url} refused the token in {TOKEN_VARIABLE} (HTTP 401 {message}): "
                "set a valid token"
            )
        if status in (403, 429):
            wait = self._rate_limit_wait(response, message, failures)
            if wait is not None:
                self._close_gate(wait, f"HTTP {status} rate limit", detail)
                return "rate_limited", detail
            return "forbidden", detail
        if status >= 500:
            return "server_error", detail
        return _STATUS_CAUSES.get(status, "unexpected_answer"), detail

    def _rate_limit_wait(
        self, response: requests.Response, message: str, failures: int
    ) -> float | None:
        """Seconds to wait before retrying a 403/429, or None when it is no rate limit."""
        headers = response.headers
        retry_after = headers.get("retry-after", "")
        if retry_after.isdigit():
            return float(retry_after)
        if headers.get("x-ratelimit-remaining") == "0":
            return _seconds_to_reset(response)
        if response.status_code == 429 or "rate limit" in message.lower():
            return self.secondary_wait_seconds * 2**failures
        return None

    def _note_budget(self, response: requests.Response, path: str) -> None:
        """A 200 that spent the last request of the window: the next one waits for the reset
        (or, beyond the bound, none goes out); this answer is used either way."""
        if response.headers.get("x-ratelimit-remaining") == "0":
            self._close_gate(_seconds_to_reset(response), "rate limit spent", path)

    def _close_gate(self, wait: float, reason: str, where: str) -> None:
        if self.gate.close_for(wait, reason):
            log.warning("GitHub %s (%s), waiting %.1f s", reason, where, wait)
        else:
            log.warning("GitHub %s (%s): %s; asking no more", reason, where, self.gate.stopped)


def _seconds_to_reset(response: requests.Response) -> float:
    """Seconds until `x-ratelimit-reset` by GitHub's own clock (its `Date`), plus one.

    Both are whole seconds, so one more second is never early; measuring against `Date` rather
    than this machine's clock keeps a skewed local clock from retrying too soon.
    """
    headers = response.headers
    try:
        reset = float(headers["x-ratelimit-reset"])
    except (KeyError, ValueError):
        return SECONDARY_WAIT_SECONDS
    try:
        now = parsedate_to_datetime(headers["date"]).timestamp()
    except (KeyError, TypeError, ValueError):
        now = time.time()
    return max(reset - now, 0.0) + 1.0


def _message(response: requests.Response) -> str:
    """GitHub's `message` field of an error answer, if it has one."""
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("message", ""))[:200] if isinstance(body, dict) else ""


def _json_object(response: requests.Response, path: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ApiRefusal("unexpected_answer", f"{path}: not a JSON object")
    return body
