"""What a run must cover, checked before any work: a range with no day is refused, and so is a
run of no day (an asset's checks alone), each saying what to do instead."""

import dagster as dg
import pytest

from gh_assets.defs.assets import archive_tables, repo_activity
from gh_assets.defs.resources import CoiledConfig, DaskResource
from gh_assets_tests.harnesses.pipeline import materialize_days, pipeline_resources


def test_a_range_that_covers_no_day_is_refused_before_any_work(mirror, storage_dir, instance):
    resources = pipeline_resources(mirror, storage_dir, DaskResource(mode="local"))
    result = materialize_days(resources, instance, "2015-01-05", "2015-01-01", raise_on_error=False)
    assert not result.success
    failure = result.get_step_failure_events()[0].step_failure_data.error.to_string()
    assert "this run covers no day" in failure
    assert not mirror.requests and not storage_dir.exists()


@pytest.mark.parametrize(
    "asset, selection",
    [
        (archive_tables, dg.AssetSelection.checks_for_assets(archive_tables)),
        (archive_tables, None),
        (repo_activity, None),
    ],
    ids=["archive_tables-checks-alone", "archive_tables-no-day", "repo_activity-no-day"],
)
def test_a_run_of_no_day_is_refused_saying_how_to_check_a_day(
    asset, selection, mirror, storage_dir, instance
):
    """As the UI's *Checks* tab, *Execute all*, launches: the checks for no day."""
    resources = pipeline_resources(mirror, storage_dir, DaskResource(mode="local"))
    result = dg.materialize(
        [asset], resources=resources, instance=instance, selection=selection, raise_on_error=False
    )
    assert not result.success
    failure = result.get_step_failure_events()[0].step_failure_data.error.to_string()
    assert "are evaluated when a day of the asset is materialized, not alone" in failure
    assert "Cannot access partition_key" not in failure
    assert not mirror.requests and not storage_dir.exists()


def test_every_problem_of_the_cluster_settings_is_told_at_once_before_any_work(
    mirror, storage_dir, instance, monkeypatch
):
    """Coiled asked for, with no token, tables in a local folder and a minimum above the
    maximum: one failure names the three, before any download, and is not retried."""
    monkeypatch.delenv("DASK_COILED__TOKEN", raising=False)
    monkeypatch.setenv("DASK_CONFIG", str(storage_dir.parent / "no-dask-config"))
    dask = DaskResource(mode="coiled", coiled=CoiledConfig(min_workers=5, max_workers=2))
    resources = pipeline_resources(mirror, storage_dir, dask)
    result = materialize_days(resources, instance, "2015-01-01", "2015-01-03", raise_on_error=False)
    [failure] = result.get_step_failure_events()
    assert failure.step_key == "gharchive_manifest"
    message = failure.step_failure_data.error.message
    assert "coiled.min_workers=5 is above coiled.max_workers=2" in message
    assert "Coiled has no token" in message
    assert "cannot write to the local folder" in message and "(set GH_ASSETS_STORAGE)" in message
    assert failure.step_failure_data.user_failure_data is not None
    assert not mirror.requests
