"""Fixtures shared by the tiers: the services start here, on free loopback ports, once per session.

unit/ uses none of the service fixtures; integration/ and e2e/ do (see the README's Tests section).
"""

import uuid

import dagster as dg
import pytest
import s3fs
from distributed import Client

from gh_assets.defs.resources import DaskResource
from gh_assets_tests.harnesses.archive_mirror import ArchiveMirror
from gh_assets_tests.harnesses.availability import require_service
from gh_assets_tests.harnesses.ceph_gateway import ceph_available, start_ceph_gateway
from gh_assets_tests.harnesses.dask_processes import DaskProcesses
from gh_assets_tests.harnesses.pipeline import pipeline_resources
from gh_assets_tests.harnesses.postgres_server import postgres_binaries, start_postgres


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
def postgres(tmp_path_factory):
    """A real PostgreSQL server on loopback, from `initdb` in a temporary folder."""
    require_service(
        postgres_binaries() is not None,
        "PostgreSQL is not installed (bash .ci/install-system-packages.sh)",
    )
    server = start_postgres(tmp_path_factory.mktemp("postgres"))
    yield server
    server.stop()


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
