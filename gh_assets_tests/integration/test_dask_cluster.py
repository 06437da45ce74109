"""The Dask resource: which cluster a run gets, that it is closed, and what it refuses."""

import datetime as dt
import os
import shutil
import threading
import time

import dask
import psutil
import pytest

from gh_assets.compute.cluster_choice import ClusterConfigError
from gh_assets.defs.resources import DaskResource
from gh_assets.tables.storage import Storage
from gh_assets_tests.harnesses import fake_coiled
from gh_assets_tests.harnesses.availability import require_service
from gh_assets_tests.harnesses.dask_processes import DaskProcesses
from gh_assets_tests.harnesses.pipeline import materialize_days, pipeline_resources
from gh_assets_tests.oracles.expected import expected_rows
from gh_assets_tests.oracles.tables_read import assert_day_matches
from gh_assets_tests.synthetic.days import fake_day


@pytest.fixture
def coiled_record(tmp_path, monkeypatch):
    """Coiled's cloud is out of reach: `coiled.Cluster` becomes a recorded real LocalCluster."""
    record = tmp_path / "coiled.jsonl"
    monkeypatch.setenv(fake_coiled.RECORD_ENV, str(record))
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


def test_coiled_with_a_local_folder_fails_before_any_cluster(
    coiled_record, mirror, storage_dir, instance
):
    resources = pipeline_resources(mirror, storage_dir, DaskResource(mode="coiled"))
    result = run_days(resources, instance, "2016-07-01", "2016-07-01")
    assert not result.success
    failure = result.get_step_failure_events()[0].step_failure_data.error.to_string()
    assert "set GH_ASSETS_STORAGE=s3://bucket/prefix" in failure
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


def test_a_worker_killed_mid_run_does_not_lose_or_duplicate_rows(
    tmp_path, mirror, mirror_root, storage_dir, instance
):
    days = [dt.date(2016, 8, 1), dt.date(2016, 8, 2)]
    fakes = [fake_day(day, seed=day.day, hours=range(0, 24, 3)) for day in days]
    for fake in fakes:
        fake.write(mirror_root)
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
    for day, fake in zip(days, fakes, strict=True):
        assert_day_matches(storage_dir, day, *expected_rows(fake))


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
