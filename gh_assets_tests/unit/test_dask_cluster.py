"""The Dask resource's refusals that come before any cluster starts (Coiled's cloud is replaced)."""

import time

import dask
import pytest

from gh_assets.compute.cluster_choice import ClusterConfigError
from gh_assets.defs.resources import DaskResource
from gh_assets.tables.storage import Storage
from gh_assets_tests.harnesses import fake_coiled


def test_coiled_that_cannot_start_says_why_quickly(monkeypatch):
    def refuse(**kwargs):
        raise RuntimeError("quota exceeded: 0 of 0 vCPUs free")

    monkeypatch.setattr("coiled.Cloud", fake_coiled.FakeConnection)
    monkeypatch.setattr("coiled.Cluster", refuse)
    started = time.monotonic()
    with (
        dask.config.set({"coiled.token": "fake-token"}),
        pytest.raises(ClusterConfigError, match="did not start .*quota exceeded"),
        DaskResource(mode="coiled").cluster(
            run_id="r1", partition_count=1, storage=Storage("s3://bucket/x")
        ),
    ):
        pass
    assert time.monotonic() - started < 10


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
