"""The Dask resource's refusals that come before any cluster starts (Coiled's cloud is replaced)."""

import dask
import pytest

from gh_assets.compute.cluster_choice import ClusterConfigError, ClusterStartError
from gh_assets.defs.resources import DaskResource
from gh_assets.tables.storage import Storage
from gh_assets_tests.harnesses import fake_coiled


def test_coiled_that_cannot_start_says_why_at_once(monkeypatch):
    """One request for a cluster, no waiting and asking again: Coiled's refusal is final."""
    requests, sleeps = [], []

    def refuse(**kwargs):
        requests.append(kwargs["name"])
        raise RuntimeError("quota exceeded: 0 of 0 vCPUs free")

    monkeypatch.setattr("coiled.Cloud", fake_coiled.FakeConnection)
    monkeypatch.setattr("coiled.Cluster", refuse)
    monkeypatch.setattr("time.sleep", sleeps.append)
    with (
        dask.config.set({"coiled.token": "fake-token"}),
        pytest.raises(ClusterStartError, match="did not start .*quota exceeded"),
        DaskResource(mode="coiled").cluster(
            run_id="r1", partition_count=1, storage=Storage("s3://bucket/x")
        ),
    ):
        pass
    assert (requests, sleeps) == (["gh-assets-r1"], [])


def test_coiled_without_a_token_says_how_to_log_in(monkeypatch):
    monkeypatch.setattr("coiled.Cluster", fake_coiled.fake_cluster)
    with (
        dask.config.set({"coiled.token": None}),
        pytest.raises(ClusterConfigError, match="coiled login"),
        DaskResource(mode="coiled").cluster(
            run_id="r1", partition_count=1, storage=Storage("s3://bucket/x")
        ),
    ):
        pass
