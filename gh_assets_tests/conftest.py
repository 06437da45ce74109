import os
import uuid

import dagster as dg
import pytest
import s3fs
from distributed import Client

from gh_assets.defs.assets import gharchive_manifest, push_events_and_commits
from gh_assets.defs.resources import ArchiveResource, DaskResource, StorageResource
from gh_assets_tests.archive_mirror import ArchiveMirror
from gh_assets_tests.ceph_gateway import ceph_available, start_ceph_gateway
from gh_assets_tests.services import DaskProcesses


def pipeline_resources(
    source: ArchiveMirror | str,
    storage,
    dask: DaskResource,
    s3_endpoint_url: str | None = None,
    **archive_settings,
) -> dict:
    """Resources for a test: the archive (a mirror, or the URL of a folder or bucket holding a
    copy), tables in a folder or s3:// URL (one endpoint for both, as in production), a cluster."""
    base_url = source if isinstance(source, str) else source.base_url
    fast = {"timeout_seconds": 2, "max_attempts": 4, "backoff_seconds": 0.01}
    return {
        "archive": ArchiveResource(
            base_url=base_url, s3_endpoint_url=s3_endpoint_url, **(fast | archive_settings)
        ),
        "storage": StorageResource(url=str(storage), s3_endpoint_url=s3_endpoint_url),
        "dask": dask,
    }


ASSETS = [gharchive_manifest, push_events_and_commits]


def materialize_days(resources: dict, instance, first: str, last: str | None = None, **kwargs):
    """Materialize the three assets for one day, or for a range of days as one run."""
    if last is None:
        return dg.materialize(
            ASSETS, partition_key=first, resources=resources, instance=instance, **kwargs
        )
    tags = {"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last}
    return dg.materialize(ASSETS, resources=resources, instance=instance, tags=tags, **kwargs)


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


@pytest.fixture(scope="session")
def ceph(tmp_path_factory):
    """A real S3 server: Ceph's RADOS Gateway on loopback (monitor, memstore OSD, radosgw)."""
    require_service(ceph_available(), "Ceph is not installed (bash .ci/install-system-packages.sh)")
    gateway = start_ceph_gateway(tmp_path_factory.mktemp("ceph"))
    yield gateway
    gateway.stop()


@pytest.fixture(scope="session")
def s3_env(ceph) -> dict[str, str]:
    """What a user exports for an S3-compatible store: the AWS chain's variables, the endpoint."""
    return {
        "AWS_ACCESS_KEY_ID": ceph.access_key,
        "AWS_SECRET_ACCESS_KEY": ceph.secret_key,
        "AWS_DEFAULT_REGION": "us-east-1",
        "GH_ASSETS_S3_ENDPOINT_URL": ceph.endpoint_url,
    }


@pytest.fixture
def s3_url(ceph, s3_env, monkeypatch):
    """A fresh bucket; this process gets the credentials through the environment, as users do."""
    for name, value in s3_env.items():
        monkeypatch.setenv(name, value)
    s3fs.S3FileSystem.clear_instance_cache()  # s3fs caches clients with their credentials
    bucket = f"gh-assets-{uuid.uuid4().hex[:12]}"
    s3fs.S3FileSystem(**ceph.storage_options).mkdir(bucket)
    yield f"s3://{bucket}/tables"
    s3fs.S3FileSystem.clear_instance_cache()


@pytest.fixture(scope="session")
def s3_dask_processes(tmp_path_factory, s3_env):
    """A multi-process cluster whose workers have S3 credentials in their environment."""
    cluster = DaskProcesses(tmp_path_factory.mktemp("dask-s3"), env=s3_env).start()
    with Client(cluster.address, timeout=60) as client:
        client.wait_for_workers(2, timeout=60)
    yield cluster
    cluster.stop()
