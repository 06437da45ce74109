"""The GitHub client against the fake GitHub (real HTTP): the answers that are not the day's."""

import time

import pytest

from gh_assets.archive.source import RetryPolicy
from gh_assets.github.client import ApiRefusal, GitHubClient
from gh_assets_tests.harnesses.fake_github import FakeGitHub, Repo

TOKEN = "ghp_FAKE0client0token0for0tests"
PATH = "/repos/acme/lib/compare/main...topic"


@pytest.fixture
def github(monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    repo = Repo("acme/lib")
    root = repo.commit((), "Ana", "ana@example.org", "root")
    tip = repo.commit((root.sha,), "Ana", "ana@example.org", "topic")
    repo.branches |= {"main": root.sha, "topic": tip.sha}
    with FakeGitHub(TOKEN, secondary_block_seconds=0.5) as fake:
        fake.add_repo(repo)
        yield fake


def client(github: FakeGitHub, **options) -> GitHubClient:
    retry = RetryPolicy(max_attempts=options.pop("max_attempts", 3), backoff_seconds=0.01)
    return GitHubClient(github.base_url, retry=retry, secondary_wait_seconds=0.5, **options)


def test_a_secondary_limit_without_retry_after_waits_before_retrying(github):
    github.add_faults(PATH, "secondary_403")
    asking = client(github)
    started = time.monotonic()

    first, commits = asking.get_pages(PATH, {"per_page": 100}, "commits")

    assert time.monotonic() - started >= 0.5
    assert [commit["commit"]["message"] for commit in commits] == ["topic"]
    assert github.violations == [] and asking.gate.waits == 1
    assert asking.statuses == {"403": 1, "200": 1}


def test_a_403_that_is_no_rate_limit_is_counted_as_forbidden_without_retrying(github):
    github.add_faults(PATH, "forbidden_403")
    with pytest.raises(ApiRefusal) as refused:
        client(github).get(PATH)
    assert refused.value.cause == "forbidden"
    assert len(github.requests) == 1


@pytest.mark.parametrize(("failures", "answered"), [(2, True), (3, False)])
def test_5xx_are_retried_then_counted(github, failures, answered):
    github.add_faults(PATH, *["status_502"] * failures)
    asking = client(github, max_attempts=3)
    if answered:
        assert asking.get(PATH)["total_commits"] == 1
    else:
        with pytest.raises(ApiRefusal, match="after 3 attempts") as refused:
            asking.get(PATH)
        assert refused.value.cause == "server_error"
    assert len(github.requests) == min(failures + 1, 3)


def test_the_token_is_in_no_repr(github):
    asking = client(github)
    asking.get(PATH)
    assert TOKEN not in repr(asking) and TOKEN not in repr(vars(asking))


def test_a_proxy_from_the_environment_is_used(github, monkeypatch):
    """HTTP(S)_PROXY as requests reads it: the fake stands in for the proxy of an API host that
    does not resolve, and answers the request the proxy forwards."""
    monkeypatch.setenv("HTTP_PROXY", github.base_url)
    monkeypatch.setenv("NO_PROXY", "")
    asking = GitHubClient("http://api.github.invalid", retry=RetryPolicy(max_attempts=1))
    assert asking.get("/repos/acme/lib")["default_branch"] == "main"
    assert github.requests[0].authorized


def test_a_netrc_login_never_replaces_the_token(github, monkeypatch, tmp_path):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password not-the-token\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    assert client(github).get("/repos/acme/lib")["default_branch"] == "main"
    assert [request.authorized for request in github.requests] == [True]


def test_a_connection_that_fails_says_why(github):
    """TLS spoken to a plain-HTTP server: the cause is in the refusal, not only its type."""
    https = github.base_url.replace("http://", "https://")
    with pytest.raises(ApiRefusal, match=r"connection_error: /repos/acme/lib: SSLError: .*SSL"):
        GitHubClient(https, retry=RetryPolicy(max_attempts=1)).get("/repos/acme/lib")
