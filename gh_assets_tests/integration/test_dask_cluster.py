"""The Dask resource: which cluster a run gets, that it is closed, and what it refuses."""

import datetime as dt
import logging
import os
import shutil
import sys
import threading
import time

import dask
import psutil
import pytest
import requests

from gh_assets.compute.cluster_choice import ClusterConfigError
from gh_assets.compute.local_cluster import StartingCluster
from gh_assets.defs.deployment.serve import command_of
from gh_assets.defs.resources import CoiledConfig, DaskResource, resources_from
from gh_assets.settings import Settings
from gh_assets.tables.storage import Storage
from gh_assets_tests.harnesses import fake_coiled
from gh_assets_tests.harnesses.availability import require_service
from gh_assets_tests.harnesses.dask_processes import DaskProcesses
from gh_assets_tests.harnesses.pipeline import (
    materialize_days,
    metadata_of,
    pipeline_resources,
    run_observation_of,
)
from gh_assets_tests.oracles.expected import expected_rows
from gh_assets_tests.oracles.tables_read import assert_day_matches
from gh_assets_tests.synthetic.days import fake_day, write_fake_days


@pytest.fixture
def coiled_record(tmp_path, monkeypatch):
    """Coiled's cloud is out of reach: `coiled.Cluster` becomes a recorded real LocalCluster."""
    record = tmp_path / "coiled.jsonl"
    monkeypatch.setenv(fake_coiled.RECORD_ENV, str(record))
    monkeypatch.setattr("coiled.Cloud", fake_coiled.FakeConnection)
    monkeypatch.setattr("coiled.Cluster", fake_coiled.fake_cluster)
    with dask.config.set({"coiled.token": "fake-token"}):
        yield record


def run_days(resources, instance, first: str, last: str):
    return materialize_days(resources, instance, first, last, raise_on_error=False)


def test_coiled_cluster_is_closed_when_the_asset_fails(
    coiled_record, mirror, mirror_root, s3_url, instance
):
    fake_day(dt.date(2016, 7, 1), hours=[0, 1]).write(mirror_root)
    mirror.add_faults("2016-07-01-1.json.gz", *["status_503"] * 20)
    resources = pipeline_resources(
        mirror,
        s3_url,
        DaskResource(coiled_threshold=1),
        s3_endpoint_url=os.environ["GH_ASSETS_S3_ENDPOINT_URL"],
    )
    result = run_days(resources, instance, "2016-07-01", "2016-07-02")
    assert not result.success
    failure = result.get_step_failure_events()[0].step_failure_data.error.to_string()
    assert "2016-07-01-1.json.gz failed after 4 attempts: HTTP 503" in failure
    events = fake_coiled.read_record(coiled_record)
    assert [event["event"] for event in events] == ["created", "started", "closed"]
    assert not [pid for pid in events[1]["worker_pids"] if psutil.pid_exists(pid)]


def test_a_team_run_on_coiled_goes_to_its_workspace_and_adapts_to_its_size(
    coiled_record, mirror, mirror_root, s3_url, instance
):
    """The deployment's settings as a team sets them, with tables in a real S3 store (Ceph)."""
    days = [dt.date(2016, 7, day) for day in (1, 2, 3)]
    fakes = write_fake_days(mirror_root, days, hours=[0, 12])
    settings = Settings.from_env(
        {
            "GH_ASSETS_DASK_MODE": "coiled",
            "GH_ASSETS_COILED_WORKSPACE": "acme-team",
            "GH_ASSETS_COILED_MIN_WORKERS": "1",
            "GH_ASSETS_SOURCE_URL": mirror.base_url,
            "GH_ASSETS_STORAGE": s3_url,
            "GH_ASSETS_S3_ENDPOINT_URL": os.environ["GH_ASSETS_S3_ENDPOINT_URL"],
        }
    )
    result = run_days(resources_from(settings), instance, "2016-07-01", "2016-07-03")
    assert result.success
    storage = Storage(s3_url, endpoint_url=os.environ["GH_ASSETS_S3_ENDPOINT_URL"])
    for fake in fakes:
        assert_day_matches(storage, fake.day, *expected_rows(fake))
    created, started, adapt, closed = fake_coiled.read_record(coiled_record)
    name = f"gh-assets-{result.run_id}"
    assert created["kwargs"]["workspace"] == "acme-team"
    assert created["kwargs"]["n_workers"] == 1
    assert adapt == {"event": "adapt", "minimum": 1, "maximum": 2}  # 3 days, 2 per worker
    assert closed == {"event": "closed", "name": name}
    # the cluster's copy of the dask config holds no token; the connection to Coiled has it
    assert (created["shipped_coiled_token"], created["connection_has_token"]) == (None, True)
    day = metadata_of(result, "push_events")  # what a day says of its cluster, at publishing
    run = run_observation_of(result, "push_events")  # the run's usage and cost, at its end
    for metadata in (day, run):
        assert metadata["coiled_workspace"] == "acme-team"
        assert metadata["dask_cluster_name"] == name
        assert metadata["coiled_cluster"].endswith("?workspace=acme-team")
        assert metadata["dask_dashboard_during_run"] == metadata["coiled_cluster"]
    assert run["dask_peak_workers"] in (1, 2)
    assert run["dask_worker_minutes"] > 0
    assert run["coiled_worker_vm_types"] == fake_coiled.VM_TYPE
    assert run["coiled_scheduler_vm_type"] == fake_coiled.SCHEDULER_VM_TYPE
    assert run["cost_basis"] == "Coiled's estimate of the cluster's cloud cost"
    assert run["cost_usd"] > 0
    secret = fake_coiled.DASHBOARD_TOKEN  # the dashboard link's, in no metadata, log or widget
    assert fake_coiled.DASHBOARD_TOKEN in started["dashboard"]
    for metadata in (day, run):
        assert not [key for key, value in metadata.items() if fake_coiled.TLS_KEY in str(value)]
        assert not [key for key, value in metadata.items() if secret in str(value)]
    assert not [record for record in instance.all_logs(result.run_id) if secret in str(record)]
    assert created["kwargs"]["show_widget"] is False


def test_without_coileds_cost_a_run_is_priced_at_the_configured_rate(
    coiled_record, monkeypatch, caplog
):
    """As if Coiled's client no longer had the private call that gives a cluster's cost."""
    monkeypatch.delattr(fake_coiled.FakeCloud, "_get_cluster_details_synced")
    resource = DaskResource(mode="coiled", coiled=CoiledConfig(worker_hourly_usd=0.5))
    with resource.cluster(
        run_id="r1", partition_count=1, storage=Storage("s3://bucket/x"), log=logging.getLogger()
    ) as run:
        run.client.submit(time.sleep, 1).result()
    assert run.bill is None
    assert run.usage.peak_workers == 2 and run.usage.worker_minutes > 2 / 60
    assert run.cost.usd == pytest.approx(run.usage.worker_minutes / 60 * 0.5)
    assert run.cost.basis.startswith(f"estimate: {run.usage.worker_minutes:.1f} worker-minutes")
    assert "Coiled gave no cost for gh-assets-r1: AttributeError" in caplog.text


def test_coiled_with_a_local_folder_fails_before_any_cluster(
    coiled_record, mirror, storage_dir, instance
):
    resources = pipeline_resources(mirror, storage_dir, DaskResource(mode="coiled"))
    result = run_days(resources, instance, "2016-07-01", "2016-07-01")
    assert not result.success
    failure = result.get_step_failure_events()[0].step_failure_data.error.to_string()
    assert "s3://bucket/prefix (set GH_ASSETS_STORAGE)" in failure
    assert not coiled_record.exists()


def test_address_mode_refuses_workers_that_do_not_see_the_local_folder(tmp_path, storage_dir):
    """Workers in a mount namespace of their own see an empty tmpfs where the folder is."""
    require_service(shutil.which("unshare") is not None, "unshare is not available")
    storage_dir.mkdir()
    mount_tmpfs = f'mount -t tmpfs none "{storage_dir}" && exec "$@"'
    hidden = DaskProcesses(
        tmp_path, workers=1, worker_wrapper=["unshare", "--mount", "sh", "-c", mount_tmpfs, "sh"]
    ).start()
    try:
        with (
            pytest.raises(ClusterConfigError, match="do not see the local folder"),
            DaskResource(mode="address", address=hidden.address).cluster(
                run_id="r1", partition_count=1, storage=Storage(str(storage_dir))
            ),
        ):
            pass
    finally:
        hidden.stop()


def test_local_workers_keep_glibcs_malloc_defaults(tmp_path, monkeypatch):
    """Distributed would start them with MALLOC_TRIM_THRESHOLD_ set (see worker_config)."""
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    resource = DaskResource(mode="local", local_workers=2)
    with resource.cluster(run_id="r1", partition_count=1, storage=Storage(str(tmp_path))) as run:
        settings = run.client.run(os.environ.get, "MALLOC_TRIM_THRESHOLD_")
        threads = run.client.run(os.environ.get, "OMP_NUM_THREADS")
    assert list(settings.values()) == [None, None]
    assert list(threads.values()) == ["1", "1"]  # the nanny's other settings still apply


def test_local_workers_start_lean_with_this_processs_environment(tmp_path, monkeypatch):
    """Forked from our forkserver with the transform imported, without re-running the parent's
    main module (here pytest's script; in a run the Dagster CLI, ~700 modules), and with the
    environment of now, not of when the forkserver started (a cluster has started already)."""
    resource = DaskResource(mode="local", local_workers=2)
    storage = Storage(str(tmp_path))
    with resource.cluster(run_id="r0", partition_count=1, storage=storage):
        pass
    monkeypatch.setenv("GH_ASSETS_TEST_LATE_VARIABLE", "set after the forkserver started")
    main = sys.modules["__main__"]
    before = (main.__dict__.get("__file__"), main.__spec__)
    with resource.cluster(run_id="r1", partition_count=1, storage=storage) as run:
        found = run.client.run(
            lambda: (
                "_pytest" in sys.modules,
                "gh_assets.compute.hour_transform" in sys.modules,
                os.environ.get("GH_ASSETS_TEST_LATE_VARIABLE"),
            )
        )
    late = "set after the forkserver started"
    assert list(found.values()) == [(False, True, late)] * 2
    assert (main.__dict__.get("__file__"), main.__spec__) == before  # put back


def test_a_local_cluster_starts_with_the_run_and_closes_when_an_early_step_fails(
    tmp_path, instance
):
    """It starts while the manifest step works, so a manifest that fails (no archive folder),
    and so fails the tables' day, leaves it unused: it is closed, its workers gone, when the run
    ends."""
    missing = f"file://{tmp_path}/no-archive-here"
    resources = pipeline_resources(missing, tmp_path / "tables", DaskResource(mode="local"))
    result = materialize_days(resources, instance, "2015-01-01", raise_on_error=False)
    assert not result.success
    events = instance.all_logs(result.run_id)
    messages = [event.message for event in events]
    started = messages.index("Dask cluster: local for 1 day(s), starting with the run")
    manifest_start = next(
        index
        for index, event in enumerate(events)
        if event.is_dagster_event and event.dagster_event.event_type_value == "STEP_START"
    )
    assert started < manifest_start
    assert not [pid for pid in forked_workers() if psutil.pid_exists(pid)]


def test_a_re_run_of_days_built_before_starts_no_cluster_with_the_run(
    mirror_root, mirror, storage_dir, instance
):
    """The first run of a range starts its local cluster with the run; running it again, every
    day recorded and up to date, starts none at all (nothing to build)."""
    days = [dt.date(2016, 7, 4), dt.date(2016, 7, 5)]
    write_fake_days(mirror_root, days, hours=[0, 12])
    dask = DaskResource(mode="local", local_workers=1)
    resources = pipeline_resources(mirror, storage_dir, dask)

    def cluster_lines(result) -> list[str]:
        messages = [event.message for event in instance.all_logs(result.run_id)]
        return [message for message in messages if message.startswith("Dask cluster:")]

    first = materialize_days(resources, instance, days[0].isoformat(), days[-1].isoformat())
    assert first.success
    assert "Dask cluster: local for 2 day(s), starting with the run" in cluster_lines(first)
    again = materialize_days(resources, instance, days[0].isoformat(), days[-1].isoformat())
    assert again.success and metadata_of(again, "events")["rebuilt"] is False
    assert cluster_lines(again) == []


@pytest.mark.parametrize(("up_to_files", "on_threads"), [(3, True), (1, False)])
def test_a_local_run_of_a_few_files_works_on_threads_of_its_process(
    mirror_root, mirror, storage_dir, instance, up_to_files, on_threads
):
    """Yesterday's first two hours (a run of the hour sensor's): on threads of the run's process
    up to 3 files, or on worker processes when the resource says up to 1; the same rows."""
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    fake = fake_day(yesterday, hours=[0, 1])
    fake.write(mirror_root)
    dask = DaskResource(mode="local", local_threads_up_to_files=up_to_files)
    resources = pipeline_resources(mirror, storage_dir, dask)
    result = materialize_days(resources, instance, yesterday.isoformat())
    assert result.success
    assert_day_matches(storage_dir, fake.day, *expected_rows(fake))
    metadata = metadata_of(result, "push_events")
    rows = metadata["worker_processes"].split("\n")[2:]  # a Markdown table: host:pid | files
    pids = {int(row.split("|")[1].strip().split(":")[1]) for row in rows}
    assert (pids == {os.getpid()}) is on_threads
    assert metadata["dask_mode_reason"].endswith("2 file(s) to read: threads of this process") is (
        on_threads
    )
    assert ("dask_dashboard_during_run" in metadata) is not on_threads  # seconds: no dashboard
    assert not forked_workers()  # closed with the run, or never started


def test_a_starting_cluster_closes_unless_taken():
    unused = StartingCluster(1, 1, "auto", False)
    unused.close()
    assert not [pid for pid in forked_workers() if psutil.pid_exists(pid)]
    used = StartingCluster(1, 1, "auto", False)
    with used.take() as cluster:
        used.close()  # taken: its taker closes it
        assert cluster.status.name == "running"


def forked_workers() -> list[int]:
    """The worker processes forked from this process's Dask forkserver (other children, such as
    a zombie left by an earlier test, are passed over)."""
    return [
        child.pid
        for server in psutil.Process().children()
        if "forkserver" in " ".join(command_of(server))
        for child in server.children()
    ]


@pytest.mark.parametrize("dashboard", [True, False])
def test_the_local_dashboard_and_its_link_are_there_only_when_wanted(tmp_path, dashboard):
    resource = DaskResource(mode="local", local_workers=1, local_dashboard=dashboard)
    with resource.cluster(run_id="r1", partition_count=1, storage=Storage(str(tmp_path))) as run:
        port = run.client.scheduler_info()["services"]["dashboard"]  # the scheduler's HTTP server
        status = requests.get(f"http://127.0.0.1:{port}/status", timeout=10).status_code
    assert status == (200 if dashboard else 404)
    assert ("dask_dashboard_during_run" in run.figures()) == dashboard


def test_a_local_run_counts_its_workers_and_keeps_its_fixed_size(tmp_path):
    resource = DaskResource(mode="local", local_workers=2)
    started = time.monotonic()
    with resource.cluster(run_id="r1", partition_count=30, storage=Storage(str(tmp_path))) as run:
        run.client.gather(run.client.map(time.sleep, [0.5] * 20, pure=False))  # 5 s on each
    ended = time.monotonic()
    assert (run.workers_at_start, run.usage.peak_workers) == (2, 2)
    assert 2 * 5 / 60 < run.usage.worker_minutes < 2 * (ended - started) / 60
    assert run.figures()["dask_worker_minutes"] == round(run.usage.worker_minutes, 2)
    assert run.cost is None and "cost_usd" not in run.figures()


def test_a_worker_killed_mid_run_does_not_lose_or_duplicate_rows(
    tmp_path, mirror, mirror_root, storage_dir, instance
):
    days = [dt.date(2016, 8, 1), dt.date(2016, 8, 2)]
    fakes = write_fake_days(mirror_root, days, hours=range(0, 24, 3))
    for fake in fakes:
        for name in list(fake.hours.values())[:4]:
            mirror.add_faults(name.source_file, "stall")
    cluster = DaskProcesses(tmp_path / "dask", workers=1)
    (tmp_path / "dask").mkdir()
    cluster.start()
    cluster.add_worker_process(1)
    try:
        resources = pipeline_resources(
            mirror, storage_dir, DaskResource(mode="address", address=cluster.address)
        )
        killer = threading.Thread(target=kill_first_worker_when_stalled, args=(mirror, cluster))
        killer.start()
        result = run_days(resources, instance, "2016-08-01", "2016-08-02")
        killer.join()
    finally:
        cluster.stop()
    assert result.success
    assert cluster.worker_processes[0].returncode is not None
    for fake in fakes:
        assert_day_matches(storage_dir, fake.day, *expected_rows(fake))


def kill_first_worker_when_stalled(mirror, cluster: DaskProcesses, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not any(request.fault == "stall" for request in mirror.requests):
        if time.monotonic() > deadline:
            return
        time.sleep(0.05)
    group = psutil.Process(cluster.worker_processes[0].pid)
    for process in [group, *group.children(recursive=True)]:
        process.kill()
    cluster.worker_processes[0].wait()
