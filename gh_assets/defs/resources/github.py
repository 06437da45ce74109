"""GitHub's REST API as a Dagster resource: which repositories to follow, and how to ask.

The token is not a field: the client reads GITHUB_TOKEN from the environment of the process that
sends the requests, so it never reaches Dagster's config, the UI or the event log.
"""

import dagster as dg
from pydantic import Field

from gh_assets.archive.source import RetryPolicy
from gh_assets.github.client import (
    DEFAULT_RETRY,
    SECONDARY_WAIT_SECONDS,
    TIMEOUT_SECONDS,
    GitHubClient,
)
from gh_assets.github.following import NOTHING_FOLLOWED, FollowedRepos
from gh_assets.settings import setting_field


class GitHubResource(dg.ConfigurableResource):
    """GitHub's REST API (or a GitHub Enterprise Server), for `api_commits`."""

    api_url: str = setting_field("github_api_url")
    followed_repos: str | None = setting_field("api_commits_repos")
    concurrency: int = setting_field("github_api_concurrency")
    max_wait_seconds: int = setting_field("github_api_max_wait_seconds")
    timeout_seconds: float = Field(default=TIMEOUT_SECONDS, description="Connect and read timeout.")
    max_attempts: int = Field(
        default=DEFAULT_RETRY.max_attempts,
        ge=1,
        description="Tries per request on 5xx, lost connections, rate limits.",
    )
    backoff_seconds: float = Field(
        default=DEFAULT_RETRY.backoff_seconds, ge=0, description="First 5xx retry delay (doubles)."
    )
    secondary_wait_seconds: float = Field(
        default=SECONDARY_WAIT_SECONDS,
        ge=0,
        description="First wait on a secondary rate limit that gives no retry-after (doubles).",
    )

    def followed(self) -> FollowedRepos:
        """The followed repositories (none when unset)."""
        return FollowedRepos.parse(self.followed_repos) if self.followed_repos else NOTHING_FOLLOWED

    def client(self) -> GitHubClient:
        """A client for one run; fails, naming GITHUB_TOKEN, when the environment has no token."""
        return GitHubClient(
            self.api_url,
            timeout_seconds=self.timeout_seconds,
            retry=RetryPolicy(max_attempts=self.max_attempts, backoff_seconds=self.backoff_seconds),
            max_wait_seconds=self.max_wait_seconds,
            secondary_wait_seconds=self.secondary_wait_seconds,
            connections=self.concurrency,
        )
