"""What each push is answered, against the fake GitHub (real HTTP): new refs and the default
branch's lookup, the answers kept in the cache."""

import datetime as dt
import threading

import pytest

from gh_assets.archive.source import RetryPolicy
from gh_assets.github.answer_cache import AnswerCache
from gh_assets.github.client import GitHubClient
from gh_assets.github.push_answers import ZERO_SHA, ListlessPush, PushAsker
from gh_assets.tables.storage import Storage
from gh_assets_tests.harnesses.fake_github import FakeGitHub, Repo

TOKEN = "ghp_FAKE0asker0token0for0tests"


def repository(name: str, default: str = "main") -> tuple[Repo, list[str]]:
    """A repository of two commits, its default branch at the second."""
    repo = Repo(name, default_branch=default)
    first = repo.commit((), "Ana", "ana@example.org", "first")
    second = repo.commit((first.sha,), "Ana", "ana@example.org", "second")
    repo.branches[default] = second.sha
    return repo, [first.sha, second.sha]


def new_ref(repo: str, ref: str, head: str, event_id: str = "1") -> ListlessPush:
    created = dt.datetime(2025, 11, 3, tzinfo=dt.UTC)
    return ListlessPush(event_id, 1, created, "ana", repo, ref, head, ZERO_SHA, "f")


@pytest.fixture
def github(monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    with FakeGitHub(TOKEN) as fake:
        yield fake


def asker(github: FakeGitHub, storage_dir) -> PushAsker:
    client = GitHubClient(github.base_url, retry=RetryPolicy(max_attempts=1))
    return PushAsker(client, AnswerCache(Storage(str(storage_dir)), client.api_url))


def shas(answer) -> list[str]:
    return [commit.sha for commit in answer.commits]


def test_a_head_pushed_as_the_default_branch_and_as_another_gets_each_its_answer(
    github, storage_dir
):
    """Creating the default branch lists its head; another new branch at the same head adds
    nothing to the default branch. The answers are kept apart in the cache too."""
    repo, (_, head) = repository("acme/fresh", default="trunk")
    github.add_repo(repo)
    pushes = [
        new_ref(repo.full_name, "refs/heads/trunk", head),
        new_ref(repo.full_name, "refs/heads/copy", head),
    ]

    for cache in ("empty", "kept"):
        asking = asker(github, storage_dir)
        trunk, copy = (asking.answer(push) for push in pushes)
        assert (trunk.kind, shas(trunk)) == ("new_branch_head_only", [head]), cache
        assert (copy.kind, shas(copy)) == ("new_branch", []), cache
        assert trunk.from_cache == copy.from_cache == (cache == "kept")


def test_a_slow_default_branch_lookup_holds_up_no_other_repository(github, storage_dir):
    slow, (_, slow_head) = repository("acme/slow")
    quick, (_, quick_head) = repository("acme/quick")
    for repo in (slow, quick):
        github.add_repo(repo)
    github.delays["/repos/acme/slow"] = 3.0
    asking = asker(github, storage_dir)

    held = threading.Thread(
        target=asking.outcome, args=(new_ref("acme/slow", "refs/heads/topic", slow_head),)
    )
    held.start()
    while "/repos/acme/slow" not in github.arrived:
        held.join(0.01)
    outcome = asking.outcome(new_ref("acme/quick", "refs/heads/topic", quick_head, "2"))
    answered = [request.path for request in github.requests]
    held.join()

    assert outcome.answer.kind == "new_branch"
    assert "/repos/acme/slow" not in answered, "answered while the slow lookup was in flight"
