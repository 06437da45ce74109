import datetime as dt

import pytest

from gh_assets.reading.events import (
    Commit,
    event_key,
    event_repo,
    event_repo_id,
    event_user,
    listed_commits,
    parse_created_at,
)

UTC = dt.UTC


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2015-01-01T15:00:01Z", dt.datetime(2015, 1, 1, 15, 0, 1, tzinfo=UTC)),
        ("2012-06-14T15:01:39-07:00", dt.datetime(2012, 6, 14, 22, 1, 39, tzinfo=UTC)),
        ("2012-12-01T23:30:00-08:00", dt.datetime(2012, 12, 2, 7, 30, tzinfo=UTC)),
        ("2012/03/24 00:00:04 -0700", dt.datetime(2012, 3, 24, 7, 0, 4, tzinfo=UTC)),
        ("2011-02-12T00:01:02", dt.datetime(2011, 2, 12, 0, 1, 2, tzinfo=UTC)),
        ("not a time", None),
        (None, None),
        (1420070400, None),
    ],
)
def test_parse_created_at(value, expected):
    assert parse_created_at(value) == expected


def test_user_from_each_format():
    assert event_user({"actor": {"login": "octo"}}) == "octo"
    assert event_user({"actor": "octo", "actor_attributes": {"login": "other"}}) == "octo"
    assert event_user({"actor_attributes": {"login": "octo"}}) == "octo"
    assert event_user({"actor": {"url": "u"}, "payload": {"actor": "octo"}}) == "octo"
    assert event_user({}) is None


def test_repo_from_each_format():
    assert event_repo({"repo": {"name": "o/r"}}) == "o/r"
    assert event_repo({"repo": {"name": "/"}, "payload": {"repo": "o/deleted"}}) == "o/deleted"
    assert event_repo({"repository": {"name": "r", "owner": "o"}}) == "o/r"
    assert event_repo({"repo": {"name": "/"}}) == "/"


def test_repo_id_wherever_the_format_keeps_it():
    assert event_repo_id({"repo": {"id": 7}}) == 7
    assert event_repo_id({"repository": {"id": 8}}) == 8
    assert event_repo_id({"repo": {"name": "o/r"}, "payload": {"repository_id": 9}}) == 9
    assert event_repo_id({"repo": {"id": "10"}}) == 10
    assert event_repo_id({}) is None


def test_event_key_is_the_id_or_a_stable_content_hash():
    assert event_key({"id": 2489368070}) == "2489368070"
    timeline = {"type": "PushEvent", "actor": "a", "created_at": "2013-01-01T00:00:00-08:00"}
    reordered = dict(reversed(list(timeline.items())))
    assert event_key(timeline) == event_key(reordered)
    assert len(event_key(timeline)) == 40
    assert event_key(timeline) != event_key({**timeline, "actor": "b"})


def test_event_key_of_text_orjson_refuses():
    assert len(event_key({"type": "PushEvent", "message": "\ud800"})) == 40


def test_commits_from_each_format():
    api = {
        "commits": [
            {
                "sha": "s1",
                "author": {"email": "e@x", "name": "N"},
                "message": "m",
                "distinct": False,
            },
            {"sha": "s2", "author": None, "message": "m2"},
        ]
    }
    assert listed_commits(api) == [
        Commit("s1", "e@x", "m", "N", False),
        Commit("s2", None, "m2", None, None),
    ]
    assert listed_commits({"shas": [["s", "e", "m", "n"]]}) == [Commit("s", "e", "m", "n", None)]
    assert listed_commits({"shas": [["s", "e", "m", "n", True]]}) == [
        Commit("s", "e", "m", "n", True)
    ]
    assert listed_commits({"commits": []}) == []


def test_push_since_2025_10_07_has_no_commit_list():
    payload = {
        "repository_id": 1,
        "push_id": 2,
        "ref": "refs/heads/main",
        "head": "h",
        "before": "b",
    }
    assert listed_commits(payload) is None
