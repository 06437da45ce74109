"""The Dask resource before any cluster starts: its refusals (Coiled's cloud is replaced), and
the days a run covers, which say whether it starts a local cluster with the run."""

import dask
import pytest

from gh_assets.compute.cluster_choice import ClusterConfigError, ClusterStartError
from gh_assets.defs.resources import DaskResource
from gh_assets.defs.resources.dask_cluster import run_day_count
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


RANGE = {"dagster/asset_partition_range_start": "2015-01-01"}


@pytest.mark.parametrize(
    ("tags", "days"),
    [
        ({"dagster/partition": "2015-01-01"}, 1),
        (RANGE | {"dagster/asset_partition_range_end": "2015-01-07"}, 7),
        (RANGE | {"dagster/asset_partition_range_end": "2015-02-01"}, 32),
        (RANGE, None),
        (RANGE | {"dagster/asset_partition_range_end": "not a day"}, None),
        ({}, None),
    ],
)
def test_a_runs_days_are_read_from_its_partition_tags(tags, days):
    assert run_day_count(tags) == days
