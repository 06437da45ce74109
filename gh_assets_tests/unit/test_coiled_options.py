"""The Coiled options as `coiled.Cluster` arguments, and what a run's Coiled cluster cost."""

import pytest

from gh_assets.compute.coiled_cluster import bill_from_details, run_cost
from gh_assets.compute.coiled_options import CoiledOptions
from gh_assets.compute.worker_usage import WorkerUsage
from gh_assets_tests.harnesses import fake_coiled


def test_defaults_leave_coiled_its_own_but_close_an_orphaned_cluster_quickly():
    kwargs = CoiledOptions().cluster_kwargs("gh-assets-r1", "r1", n_workers=2)
    assert kwargs == {
        "name": "gh-assets-r1",
        "n_workers": 2,
        "spot_policy": "spot_with_fallback",
        "idle_timeout": "20 minutes",
        "no_client_timeout": "2 minutes",
        "tags": {"dagster-run-id": "r1"},
        "shutdown_on_close": True,
        "show_widget": False,
    }


def test_every_option_a_team_sets_reaches_coiled():
    options = CoiledOptions(
        workspace="acme-team",
        worker_vm_types="m7g.xlarge, m6g.xlarge",
        scheduler_vm_types=["m7g.large"],
        arm=True,
        region="us-east-1",
        spot_policy="spot",
        software="acme/gh-assets",
        wait_for_workers=0.5,
        environ={"LOG_LEVEL": "debug"},
        tags={"team": "data"},
    )
    kwargs = options.cluster_kwargs("gh-assets-r1", "r1", n_workers=3)
    assert kwargs | {"tags": None} == {
        "name": "gh-assets-r1",
        "n_workers": 3,
        "workspace": "acme-team",
        "worker_vm_types": ["m7g.xlarge", "m6g.xlarge"],
        "scheduler_vm_types": ["m7g.large"],
        "arm": True,
        "region": "us-east-1",
        "spot_policy": "spot",
        "software": "acme/gh-assets",
        "wait_for_workers": 0.5,
        "environ": {"LOG_LEVEL": "debug"},
        "idle_timeout": "20 minutes",
        "no_client_timeout": "2 minutes",
        "tags": None,
        "shutdown_on_close": True,
        "show_widget": False,
    }
    assert kwargs["tags"] == {"team": "data", "dagster-run-id": "r1"}


@pytest.mark.parametrize("field", ["idle_timeout", "no_client_timeout"])
def test_a_timeout_coiled_could_not_parse_is_refused_when_configured(field):
    with pytest.raises(ValueError, match="20 minuts"):
        CoiledOptions(**{field: "20 minuts"})


def test_the_bill_reads_only_vm_types_and_cost_from_coileds_cluster_record():
    """The record holds the cluster's TLS key: nothing outside the named fields is kept."""
    cluster = type("Cluster", (), {"workers": {1: None, 2: None}, "recorded_name": "c"})()
    details = fake_coiled.FakeCloud(cluster)._get_cluster_details_synced(4242)
    bill = bill_from_details(details)
    assert (bill.scheduler_vm_type, bill.worker_vm_types) == ("fake.large", ("fake.xlarge",))
    assert bill.cloud_cost_usd == details["cloud_total_cost"]
    assert fake_coiled.TLS_KEY not in repr(bill)


def test_without_a_cloud_cost_the_bill_takes_coileds_widget_share_of_the_total():
    bill = bill_from_details({"total_cost": 10.0, "workers": []})
    assert bill.cloud_cost_usd == pytest.approx(0.5)
    assert bill_from_details({}).cloud_cost_usd is None


@pytest.mark.parametrize(
    ("coiled_cost", "hourly_usd", "expected"),
    [
        (1.25, 0.5, (1.25, "Coiled's estimate of the cluster's cloud cost")),
        (None, 0.5, (1.0, "estimate: 120.0 worker-minutes at $0.5/hour (workers only)")),
        (None, None, None),
    ],
    ids=["coiled-estimate", "price-estimate", "no-price"],
)
def test_a_runs_cost_is_coileds_estimate_else_worker_minutes_at_the_price(
    coiled_cost, hourly_usd, expected
):
    bill = bill_from_details({"cloud_total_cost": coiled_cost})
    cost = run_cost(bill, WorkerUsage(peak_workers=4, worker_minutes=120), hourly_usd)
    assert (cost and (cost.usd, cost.basis)) == expected
