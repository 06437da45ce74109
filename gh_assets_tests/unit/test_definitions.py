"""The definitions load: the assets and their lineage, api_commits always in the daily job."""

import subprocess
import sys

import dagster as dg
import pytest

from gh_assets.definitions import defs
from gh_assets.defs.definitions import definitions_for
from gh_assets.settings import Settings

TABLES = ("gharchive_manifest", "push_events", "commits", "events", "repo_activity", "api_commits")


def test_definitions_load():
    graph = defs.resolve_asset_graph()
    assert {key.to_user_string() for key in graph.get_all_asset_keys()} == set(TABLES)
    assert graph.get(dg.AssetKey("commits")).parent_keys == {dg.AssetKey("push_events")}
    assert graph.get(dg.AssetKey("events")).parent_keys == {dg.AssetKey("gharchive_manifest")}
    assert graph.get(dg.AssetKey("repo_activity")).parent_keys == {dg.AssetKey("events")}
    assert graph.get(dg.AssetKey("api_commits")).parent_keys == {dg.AssetKey("push_events")}


@pytest.mark.parametrize("repos", [None, "acme/*"])
def test_api_commits_is_defined_and_built_daily_whether_or_not_repositories_are_followed(repos):
    """Following none, it writes empty days: the daily job and a backfill of all still succeed."""
    definitions = definitions_for(Settings(api_commits_repos=repos))
    graph = definitions.resolve_asset_graph()
    daily = definitions.resolve_job_def("gharchive_daily").asset_layer.selected_asset_keys
    assert set(graph.get_all_asset_keys()) == daily == {dg.AssetKey(name) for name in TABLES}


def test_the_definitions_load_and_resolve_without_a_deprecation_warning():
    """In a fresh process, where every warning of the import is raised, not cached away."""
    code = "from gh_assets.definitions import defs; defs.resolve_all_job_defs()"
    subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "-c", code], check=True)


@pytest.mark.parametrize(
    ("chunk", "policy"),
    [(None, dg.BackfillPolicy.single_run()), (5, dg.BackfillPolicy.multi_run(5))],
    ids=["one-run-per-backfill", "runs-of-5-days"],
)
def test_every_asset_backfills_as_the_settings_it_was_built_from_say(chunk, policy):
    definitions = definitions_for(Settings(max_partitions_per_run=chunk))
    assert {asset.backfill_policy for asset in definitions.assets} == {policy}
