"""The Coiled options as `coiled.Cluster` arguments."""

import pytest

from gh_assets.compute.coiled_options import CoiledOptions


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
