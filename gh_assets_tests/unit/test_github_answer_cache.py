"""Kept answers: found again by a later run, each in its own file under `_cache`."""

import pytest

from gh_assets.github.answer_cache import AnswerCache
from gh_assets.github.push_answers import ApiCommit, PushAnswer
from gh_assets.tables.storage import Storage

ANSWER = PushAnswer("force_push", (ApiCommit("a" * 40, "李雷", "hash@example.org", "msg\n"),))


def test_an_answer_is_kept_and_found_again_per_host_not_port(tmp_path):
    storage = Storage(str(tmp_path))
    AnswerCache(storage, "http://127.0.0.1:8001").put("Acme/Lib", "b" * 40, "c" * 40, ANSWER)
    again = AnswerCache(storage, "http://127.0.0.1:9002").get("acme/lib", "b" * 40, "c" * 40)
    assert again == PushAnswer(ANSWER.kind, ANSWER.commits, from_cache=True)
    assert (
        AnswerCache(storage, "https://api.github.com").get("acme/lib", "b" * 40, "c" * 40) is None
    )


@pytest.mark.parametrize("repo", ["../..", "acme/..", "acme/../../x"])
def test_no_name_leaves_the_cache_folder(tmp_path, repo):
    cache = AnswerCache(Storage(str(tmp_path)), "https://api.github.com")
    path = cache.path(repo, "..", "../x")
    assert path.startswith(cache.root + "/") and "/../" not in path and not path.endswith("/..")


def test_an_unreadable_answer_counts_as_none(tmp_path):
    storage = Storage(str(tmp_path))
    cache = AnswerCache(storage, "https://api.github.com")
    path = cache.path("acme/lib", "b" * 40, "c" * 40)
    storage.make_parent(path)
    storage.fs.pipe_file(path, b'{"kind": "force_push", "comm')
    assert cache.get("acme/lib", "b" * 40, "c" * 40) is None
