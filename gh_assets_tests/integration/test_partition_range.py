"""Settings checked by a run: a range that covers no day is refused before any work."""

from gh_assets.defs.resources import DaskResource
from gh_assets_tests.harnesses.pipeline import materialize_days, pipeline_resources


def test_a_range_that_covers_no_day_is_refused_before_any_work(mirror, storage_dir, instance):
    resources = pipeline_resources(mirror, storage_dir, DaskResource(mode="local"))
    result = materialize_days(resources, instance, "2015-01-05", "2015-01-01", raise_on_error=False)
    assert not result.success
    failure = result.get_step_failure_events()[0].step_failure_data.error.to_string()
    assert "this run covers no day" in failure
    assert not mirror.requests and not storage_dir.exists()
