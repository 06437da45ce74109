"""How fresh the tables should be, with GH_ASSETS_FRESHNESS_HOURS set: every table declares a
freshness policy, and `events`' check compares the archive's newest hour (probed on a real HTTP
mirror that holds the hour that ended last) with the newest hour built."""

import datetime as dt
import gzip
from pathlib import Path

import dagster as dg
import pytest

from gh_assets.archive.names import hour_filename
from gh_assets.defs.assets.freshness import archive_lag_check
from gh_assets.defs.definitions import definitions_for
from gh_assets.defs.resources.archive import ArchiveResource
from gh_assets.settings import Settings
from gh_assets_tests.harnesses.archive_mirror import ArchiveMirror
from gh_assets_tests.harnesses.pipeline import ASSETS, materialize_days
from gh_assets_tests.synthetic.days import fake_day

HOURS = 2
LAST_ENDED = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0) - dt.timedelta(
    hours=1
)


@pytest.fixture
def mirror_root(mirror_root: Path) -> Path:
    """The shared mirror's folder, holding the hour that ended last."""
    name = hour_filename(LAST_ENDED.date(), LAST_ENDED.hour)
    (mirror_root / name).write_bytes(gzip.compress(b""))
    return mirror_root


@pytest.fixture
def defs() -> dg.Definitions:
    return definitions_for(Settings.from_env({"GH_ASSETS_FRESHNESS_HOURS": str(HOURS)}))


def built_up_to(instance: dg.DagsterInstance, hour: dt.datetime) -> None:
    """Record the day of `hour` of events as holding the hours up to it."""
    instance.report_runless_asset_event(
        dg.AssetMaterialization(
            "events",
            partition=hour.date().isoformat(),
            metadata={"newest_hour": f"{hour:%Y-%m-%d %H}:00 UTC"},
        )
    )


def check(defs: dg.Definitions, mirror: ArchiveMirror, instance) -> dg.AssetCheckResult:
    [definition] = [
        checks
        for checks in defs.asset_checks
        if dg.AssetCheckKey(dg.AssetKey("events"), "keeps_up_with_the_archive") in checks.check_keys
    ]
    context = dg.build_asset_check_context(instance=instance)
    return definition(context, ArchiveResource(base_url=mirror.base_url))


def test_every_table_declares_how_fresh_it_should_be(defs):
    graph = defs.get_repository_def().asset_graph
    for table in ("gharchive_manifest", "push_events", "commits", "events", "repo_activity"):
        policy = graph.get(dg.AssetKey(table)).freshness_policy
        assert policy.fail_window.to_timedelta() == dt.timedelta(hours=HOURS), table
    plain = definitions_for(Settings.from_env({})).get_repository_def().asset_graph
    assert plain.get(dg.AssetKey("events")).freshness_policy is None  # unset: history alone


@pytest.mark.parametrize(("behind", "passed"), [(0, True), (HOURS, True), (HOURS + 3, False)])
def test_the_check_warns_when_the_archive_is_ahead_by_more_than_the_setting(
    defs, mirror, behind, passed
):
    with dg.instance_for_test() as instance:
        built_up_to(instance, LAST_ENDED - dt.timedelta(hours=behind))
        result = check(defs, mirror, instance)
    assert result.passed is passed, result.description
    assert result.severity == dg.AssetCheckSeverity.WARN
    assert result.metadata["hours_behind"].value == behind
    assert f"{behind:g} h behind" in result.description


def test_nothing_built_warns(defs, mirror):
    with dg.instance_for_test() as instance:
        result = check(defs, mirror, instance)
    assert not result.passed and result.description == "no hour of events is built"


def test_the_check_runs_after_a_run_that_builds_events(
    mirror, mirror_root, address_resources, instance
):
    """A run of today's partition as the hour sensor asks it: the check judges what it built."""
    day = LAST_ENDED.date()
    fake_day(day, hours=[LAST_ENDED.hour], pushes_per_hour=2, others_per_hour=2).write(mirror_root)
    assets = [*ASSETS, archive_lag_check(HOURS)]
    result = materialize_days(address_resources, instance, day.isoformat(), assets=assets)
    assert result.success
    [evaluation] = [
        e
        for e in result.get_asset_check_evaluations()
        if e.check_name == "keeps_up_with_the_archive"
    ]
    assert evaluation.passed, evaluation.description
    assert evaluation.metadata["newest_hour_built"].value == f"{LAST_ENDED:%Y-%m-%d %H}:00 UTC"
