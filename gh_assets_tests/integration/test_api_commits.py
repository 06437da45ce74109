"""`api_commits` against a fake GitHub on loopback (real HTTP): every kind of push, rate limits,
the cache (a re-run, a growing day), the wait bound, and a run that follows nothing (and writes
its day empty).

The day's push_events are written straight from the generated day's expected rows (the pipeline
that makes them is tested elsewhere, and end to end in e2e/test_api_commits_cli.py).
"""

import datetime as dt
import logging

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from gh_assets.defs.assets import api_commits
from gh_assets.defs.resources import GitHubResource, StorageResource
from gh_assets.tables.catalogue import API_COMMITS, PUSH_EVENTS
from gh_assets.tables.storage import Storage
from gh_assets_tests.harnesses.fake_github import FakeGitHub
from gh_assets_tests.oracles.expected import expected_rows
from gh_assets_tests.oracles.tables_read import read_day
from gh_assets_tests.synthetic.github_day import DAY, api_day

TOKEN = "ghp_FAKE0token0for0tests0d41d8cd98f00b204e98"
KEY = DAY.isoformat()


def rows_by_key(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda row: (row["event_id"], row["commit_index"]))


def write_push_events(storage_dir, scenario, day=DAY) -> None:
    pushes = expected_rows(scenario.archive)[0]
    table = pa.Table.from_pylist(pushes, schema=PUSH_EVENTS.schema)
    storage = Storage(str(storage_dir))
    storage.write_table(storage.day_file(PUSH_EVENTS.name, day), table)


def resources(github: FakeGitHub, storage_dir, **fields) -> dict:
    settings = {
        "api_url": github.base_url,
        "followed_repos": "acme/*",
        "concurrency": 3,
        "backoff_seconds": 0.05,
        "secondary_wait_seconds": 0.5,
    }
    return {
        "github": GitHubResource(**(settings | fields)),
        "storage": StorageResource(url=str(storage_dir)),
    }


def materialize(resources: dict, instance, **kwargs):
    return dg.materialize(
        [api_commits], partition_key=KEY, resources=resources, instance=instance, **kwargs
    )


def figures(result) -> dict:
    [event] = result.get_asset_materialization_events()
    return {key: value.value for key, value in event.materialization.metadata.items()}


def checks(result) -> dict[str, bool]:
    return {check.check_name: check.passed for check in result.get_asset_check_evaluations()}


def failure_text(result) -> str:
    """The step's error with its causes, as the UI shows it."""
    [failure] = [event for event in result.all_events if event.event_type_value == "STEP_FAILURE"]
    return failure.event_specific_data.error.to_string()


@pytest.fixture
def scenario(storage_dir):
    day = api_day()
    write_push_events(storage_dir, day)
    return day


@pytest.fixture
def github(scenario):
    with FakeGitHub(TOKEN, latency_seconds=0.02) as fake:
        scenario.serve(fake)
        yield fake


@pytest.fixture
def token(monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)


def test_every_kind_of_push_gets_its_commits_within_the_rate_limits(
    scenario, github, token, storage_dir, instance
):
    result = materialize(resources(github, storage_dir), instance)

    expected = scenario.expected_rows()
    assert rows_by_key(read_day(storage_dir, "api_commits", DAY)) == rows_by_key(expected)
    meta = figures(result)
    assert meta["dagster/row_count"] == meta["commits"] == len(expected)
    assert meta["pushes_asked"] == len(scenario.pushes)
    assert {kind: meta[f"pushes_{kind}"] for kind in scenario.kinds()} == scenario.kinds()
    assert {cause: meta[f"not_answered_{cause}"] for cause in scenario.causes()} == (
        scenario.causes()
    )
    assert meta["pushes_not_answered"] == scenario.causes().total()
    assert github.faults_left() == {}, "every programmed fault was met"
    assert github.violations == [], "no request came before GitHub said it may"
    assert meta["rate_limit_waits"] >= 2  # the 403's reset and the 429's retry-after
    assert meta["requests_sent"] == len(github.requests)
    [bulk] = [item.push for item in scenario.pushes if len(item.commits or ()) > 250]
    pages = [r.query for r in github.requests if bulk.head in r.path and r.status == 200]
    assert pages == ["per_page=100", "per_page=100&page=2", "per_page=100&page=3"]
    assert 2 <= github.max_in_flight <= 3, "requests overlap, never more than the bound"
    assert checks(result) == {"every_push_answered_or_counted": True, "no_push_left_to_retry": True}
    warned = [
        entry.user_message
        for entry in instance.all_logs(result.run_id)
        if entry.level == logging.WARNING and entry.step_key == "api_commits"
    ]  # GitHub's rate-limit waits, as the event log shows them while the run works
    assert any("rate limit" in m and ", waiting " in m for m in warned), warned


def test_a_rerun_answers_from_the_cache_without_asking_again(
    scenario, github, token, storage_dir, instance
):
    materialize(resources(github, storage_dir), instance)
    first_table = read_day(storage_dir, "api_commits", DAY)
    asked_before = len(github.requests)

    result = materialize(resources(github, storage_dir), instance)

    again = github.paths()[asked_before:]
    refused = {
        f"/repos/{i.push.repo}/compare/{i.push.before}...{i.push.head}?per_page=100"
        for i in scenario.pushes
        if i.cause
    }
    assert sorted(again) == sorted(refused), "only refusals are asked again: they are not kept"
    assert read_day(storage_dir, "api_commits", DAY) == first_table
    meta = figures(result)
    kinds = scenario.kinds()
    asking = sum(kinds[kind] for kind in ("fast_forward", "force_push", "new_branch"))
    assert meta["answered_from_cache"] == asking + kinds["new_branch_head_only"]
    assert meta["requests_sent"] == len(again)


def test_a_spent_budget_with_a_far_reset_stops_the_day_cleanly_and_a_later_run_finishes_it(
    scenario, token, storage_dir, instance
):
    with FakeGitHub(TOKEN, rate_limit=2) as github:  # its reset is an hour off
        scenario.serve(github, faults=False)
        bounded = resources(github, storage_dir, max_wait_seconds=5, concurrency=1)
        result = materialize(bounded, instance)
        first_run = github.paths()
        answered = list(github.requests)
        assert github.violations == [], "nothing was asked after the budget was spent"

    assert result.success, "a stop is no failure"
    assert [request.status for request in answered] == [200, 200]
    heads_with_commits = {
        item.push.event_id: item.push.head for item in scenario.pushes if item.commits
    }
    heads_answered = {
        request.path.rpartition("...")[2].rpartition("/")[2] for request in answered
    } & set(heads_with_commits.values())
    written_heads = {
        heads_with_commits[row["event_id"]] for row in read_day(storage_dir, "api_commits", DAY)
    }
    assert heads_answered and written_heads == heads_answered, "the last answer's commits too"
    meta = figures(result)
    stopped = meta["not_answered_stopped_for_rate_limit"]
    assert stopped > 0 and meta["pushes_answered"] + meta["pushes_not_answered"] == len(
        scenario.pushes
    )
    written = read_day(storage_dir, "api_commits", DAY)
    expected = {row["sha"] + row["event_id"]: row for row in scenario.expected_rows()}
    assert all(expected[row["sha"] + row["event_id"]] == row for row in written)
    assert checks(result) == {
        "every_push_answered_or_counted": True,
        "no_push_left_to_retry": False,
    }

    with FakeGitHub(TOKEN) as github:
        scenario.serve(github)
        result = materialize(resources(github, storage_dir), instance)
        assert not set(first_run) & set(github.paths("/repos/acme/widgets/compare"))
    assert rows_by_key(read_day(storage_dir, "api_commits", DAY)) == rows_by_key(
        scenario.expected_rows()
    )
    assert checks(result)["no_push_left_to_retry"]


def test_a_range_run_gives_each_day_its_own_figures_and_check_evaluations(
    scenario, github, token, storage_dir, instance
):
    next_day = DAY + dt.timedelta(days=1)
    write_push_events(storage_dir, scenario, next_day)  # the same pushes again: all kept by then
    tags = {
        "dagster/asset_partition_range_start": KEY,
        "dagster/asset_partition_range_end": next_day.isoformat(),
    }
    result = dg.materialize(
        [api_commits], resources=resources(github, storage_dir), instance=instance, tags=tags
    )

    by_day = {
        event.partition: {key: value.value for key, value in event.metadata.items()}
        for event in (e.materialization for e in result.get_asset_materialization_events())
    }
    first, second = by_day[KEY], by_day[next_day.isoformat()]
    assert first["commits"] == second["commits"] == len(scenario.expected_rows())
    assert first["answered_from_cache"] == 0 and first["rate_limit_waits"] >= 2
    assert second["answered_from_cache"] == second["pushes_answered"] - 2  # deleted, unchanged
    assert second["requests_sent"] == scenario.causes().total()  # only the refusals again
    assert first["requests_sent"] + second["requests_sent"] == len(github.requests)
    assert first["run_days"] == second["run_days"] == 2
    evaluations = [
        (e.partition, e.check_name, e.passed) for e in result.get_asset_check_evaluations()
    ]
    for day in (KEY, next_day.isoformat()):
        assert (day, "every_push_answered_or_counted", True) in evaluations
        assert (day, "no_push_left_to_retry", True) in evaluations


def test_following_nothing_writes_the_day_empty_asks_nothing_and_says_how_to_follow(
    scenario, github, storage_dir, instance, monkeypatch
):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    result = materialize(resources(github, storage_dir, followed_repos=None), instance)

    assert result.success
    assert github.requests == []
    day_file = Storage(str(storage_dir)).day_file("api_commits", DAY)
    written = pq.read_table(day_file)
    assert written.num_rows == 0 and written.schema.equals(API_COMMITS.schema)
    assert not (storage_dir / "_cache").exists()
    meta = figures(result)
    assert meta["followed_repos"].startswith(
        "none: GH_ASSETS_API_COMMITS_REPOS is unset; to follow"
    )
    assert (meta["dagster/row_count"], meta["pushes_asked"], meta["requests_sent"]) == (0, 0, 0)
    assert meta["pushes_without_commit_list"] == len(
        [push for push in expected_rows(scenario.archive)[0] if push["commit_count"] is None]
    )
    evaluations = result.get_asset_check_evaluations()
    assert {e.check_name: e.passed for e in evaluations} == {
        "every_push_answered_or_counted": True,
        "no_push_left_to_retry": True,
    }
    assert all("no repository is followed" in e.description for e in evaluations)
    logs = [record.user_message for record in instance.all_logs(result.run_id)]
    assert any(
        "No repository is followed (GH_ASSETS_API_COMMITS_REPOS is unset" in message
        for message in logs
    )


def test_following_without_a_token_fails_naming_the_variable(
    scenario, github, storage_dir, instance, monkeypatch
):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    result = materialize(resources(github, storage_dir), instance, raise_on_error=False)

    assert not result.success
    assert "GITHUB_TOKEN is not set" in failure_text(result)
    assert github.requests == []


def test_a_refused_token_fails_the_run_without_showing_it(
    scenario, github, storage_dir, instance, monkeypatch
):
    wrong = "ghp_WRONG0token0that0must0not0show0anywhere"
    monkeypatch.setenv("GITHUB_TOKEN", wrong)
    result = materialize(resources(github, storage_dir), instance, raise_on_error=False)

    assert not result.success
    error = failure_text(result)
    assert "refused the token in GITHUB_TOKEN (HTTP 401 Bad credentials)" in error
    assert wrong not in error
    records = instance.all_logs(result.run_id)
    assert records and not [record for record in records if wrong in str(record)]
    assert not (storage_dir / "api_commits").exists()


def test_the_checks_alone_are_refused_with_a_reason(storage_dir, instance):
    """The checks judge a materialization's answers, so they cannot run without one."""
    result = dg.materialize(
        [api_commits],
        resources={
            "github": GitHubResource(followed_repos="acme/*"),
            "storage": StorageResource(url=str(storage_dir)),
        },
        instance=instance,
        selection=dg.AssetSelection.checks_for_assets(api_commits),
        raise_on_error=False,
    )
    assert "the checks of api_commits are evaluated when a day" in failure_text(result)


def test_a_growing_day_asks_only_about_its_new_pushes(
    scenario, github, token, storage_dir, instance
):
    """The hour sensor runs a day not complete once per new hour: each run reads the day's
    push_events so far, and the pushes answered in an earlier run are answered from the cache."""
    asked = sorted(item.push.event_id for item in scenario.pushes)  # the followed pushes
    early, late = set(asked[: len(asked) // 2]), set(asked[len(asked) // 2 :])
    first = [row for row in expected_rows(scenario.archive)[0] if row["event_id"] not in late]
    storage = Storage(str(storage_dir))
    day_file = storage.day_file(PUSH_EVENTS.name, DAY)
    storage.write_table(day_file, pa.Table.from_pylist(first, schema=PUSH_EVENTS.schema))
    materialize(resources(github, storage_dir), instance)
    answered_before = {r.path for r in github.requests if r.status == 200}
    asked_before = len(github.requests)

    write_push_events(storage_dir, scenario)  # the day's later hours are in
    result = materialize(resources(github, storage_dir), instance)

    again = {r.path for r in github.requests[asked_before:] if r.status == 200}
    early_compares = {
        f"/repos/{i.push.repo}/compare/{i.push.before}...{i.push.head}"
        for i in scenario.pushes
        if i.push.event_id in early
    }
    assert answered_before & early_compares, "the first run answered some of its pushes"
    assert not again & early_compares, "no push of the first run is answered again"
    assert again, "the new pushes are asked about"
    assert rows_by_key(read_day(storage_dir, "api_commits", DAY)) == rows_by_key(
        scenario.expected_rows()
    )
    assert figures(result)["answered_from_cache"] > 0
