"""A run's cost: what is read of Coiled's cluster record, and the estimate when it gives none."""

import pytest

from gh_assets.compute.coiled_cost import bill_from_details, run_cost
from gh_assets.compute.worker_usage import WorkerUsage
from gh_assets_tests.harnesses import fake_coiled


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
    cost = run_cost(bill, WorkerUsage(peak_workers=1, worker_minutes=1), None)
    assert cost.basis.startswith("5% of Coiled's total cost, the approximation Coiled's widget")
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
