import os

import dagster as dg
import pytest
from distributed import Client

from gh_assets.resources import ArchiveResource, DaskResource, StorageResource
from gh_assets_tests.archive_mirror import ArchiveMirror
from gh_assets_tests.services import DaskProcesses


def pipeline_resources(mirror: ArchiveMirror, storage_dir, dask: DaskResource) -> dict:
    return {
        "archive": ArchiveResource(
            base_url=mirror.base_url, timeout_seconds=2, max_attempts=4, backoff_seconds=0.01
        ),
        "storage": StorageResource(url=str(storage_dir)),
        "dask": dask,
    }


def require_service(available: bool, reason: str) -> None:
    """Skip when a service cannot run here; under CI=true that is a failure instead."""
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: services must run, not skip)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def dask_processes(tmp_path_factory):
    """A real multi-process Dask cluster on loopback: a scheduler and 2 worker processes."""
    cluster = DaskProcesses(tmp_path_factory.mktemp("dask")).start()
    with Client(cluster.address, timeout=60) as client:
        client.wait_for_workers(2, timeout=60)
    yield cluster
    cluster.stop()


@pytest.fixture
def mirror_root(tmp_path):
    root = tmp_path / "mirror"
    root.mkdir()
    return root


@pytest.fixture
def mirror(mirror_root):
    """The archive: a real HTTP server on loopback over `mirror_root`."""
    with ArchiveMirror(mirror_root, stall_seconds=3) as served:
        yield served


@pytest.fixture
def storage_dir(tmp_path):
    return tmp_path / "tables"


@pytest.fixture
def instance():
    with dg.instance_for_test() as test_instance:
        yield test_instance


@pytest.fixture
def address_resources(mirror, storage_dir, dask_processes):
    """Resources for the archive mirror, a temporary folder and the multi-process cluster."""
    return pipeline_resources(
        mirror, storage_dir, DaskResource(mode="address", address=dask_processes.address)
    )
