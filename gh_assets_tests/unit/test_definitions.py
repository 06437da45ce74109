"""The definitions load: the assets and their lineage, api_commits when it follows repositories."""

import dagster as dg
import pytest

from gh_assets.definitions import defs
from gh_assets.defs.definitions import definitions_for
from gh_assets.settings import Settings


def test_definitions_load():
    graph = defs.resolve_asset_graph()
    assert {key.to_user_string() for key in graph.get_all_asset_keys()} == {
        "gharchive_manifest",
        "push_events",
        "commits",
        "events",
        "repo_activity",
    }
    assert graph.get(dg.AssetKey("commits")).parent_keys == {dg.AssetKey("push_events")}
    assert graph.get(dg.AssetKey("events")).parent_keys == {dg.AssetKey("gharchive_manifest")}
    assert graph.get(dg.AssetKey("repo_activity")).parent_keys == {dg.AssetKey("events")}


@pytest.mark.parametrize(("repos", "followed"), [(None, False), ("acme/*", True)])
def test_api_commits_is_defined_and_built_daily_only_when_repositories_are_followed(
    repos, followed
):
    definitions = definitions_for(Settings(api_commits_repos=repos))
    graph = definitions.resolve_asset_graph()
    daily = definitions.resolve_job_def("gharchive_daily").asset_layer.selected_asset_keys
    names = ("gharchive_manifest", "push_events", "commits", "events", "repo_activity")
    tables = {dg.AssetKey(name) for name in names}
    api_commits = {dg.AssetKey("api_commits")} if followed else set()
    assert set(graph.get_all_asset_keys()) == daily == tables | api_commits
    for key in api_commits:
        assert graph.get(key).parent_keys == {dg.AssetKey("push_events")}
