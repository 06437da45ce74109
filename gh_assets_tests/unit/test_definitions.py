"""The definitions load: the three assets and their lineage."""

import dagster as dg

from gh_assets.definitions import defs


def test_definitions_load():
    graph = defs.resolve_asset_graph()
    assert {key.to_user_string() for key in graph.get_all_asset_keys()} == {
        "gharchive_manifest",
        "push_events",
        "commits",
    }
    assert graph.get(dg.AssetKey("commits")).parent_keys == {dg.AssetKey("push_events")}
