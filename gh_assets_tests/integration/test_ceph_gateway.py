"""Tests against a real S3 server: Ceph's RADOS Gateway on loopback (see ceph_gateway.py).

The session fixture `ceph` (a started CephGateway) lives in conftest.py.
"""

import os
import uuid

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest
import s3fs

from gh_assets_tests.harnesses.ceph_gateway import CephGateway


@pytest.fixture
def ceph_fs(ceph: CephGateway) -> s3fs.S3FileSystem:
    return s3fs.S3FileSystem(skip_instance_cache=True, **ceph.storage_options)


@pytest.fixture
def bucket(ceph_fs: s3fs.S3FileSystem) -> str:
    """A new, empty bucket."""
    name = f"test-ceph-{uuid.uuid4().hex[:12]}"
    ceph_fs.mkdir(name)
    return name


def test_s3fs_object_round_trip(ceph_fs: s3fs.S3FileSystem, bucket: str) -> None:
    ceph_fs.pipe(f"{bucket}/dir/hello.txt", b"hello ceph")
    assert ceph_fs.cat(f"{bucket}/dir/hello.txt") == b"hello ceph"
    assert ceph_fs.ls(f"{bucket}/dir") == [f"{bucket}/dir/hello.txt"]
    big = os.urandom(12 * 2**20)  # multipart upload with 5 MiB parts
    with ceph_fs.open(f"{bucket}/big.bin", "wb", block_size=5 * 2**20) as f:
        f.write(big)
    assert ceph_fs.cat(f"{bucket}/big.bin") == big


def test_parquet_through_s3fs(ceph_fs: s3fs.S3FileSystem, bucket: str) -> None:
    table = pa.table({"id": list(range(1000)), "name": [f"repo-{i}" for i in range(1000)]})
    pq.write_table(table, f"{bucket}/t.parquet", filesystem=ceph_fs)
    assert pq.read_table(f"{bucket}/t.parquet", filesystem=ceph_fs).equals(table)


def test_parquet_through_pyarrow_s3(
    ceph: CephGateway, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without this the AWS C++ SDK sends checksummed uploads Ceph answers with HTTP 411.
    # It is read when the filesystem is constructed.
    monkeypatch.setenv("AWS_REQUEST_CHECKSUM_CALCULATION", "WHEN_REQUIRED")
    s3 = pafs.S3FileSystem(
        access_key=ceph.access_key,
        secret_key=ceph.secret_key,
        endpoint_override=ceph.endpoint_url,
        region="us-east-1",
    )
    table = pa.table({"id": list(range(1000))})
    pq.write_table(table, f"{bucket}/t.parquet", filesystem=s3)
    assert pq.read_table(f"{bucket}/t.parquet", filesystem=s3).equals(table)


def test_wrong_secret_is_rejected(
    ceph: CephGateway, ceph_fs: s3fs.S3FileSystem, bucket: str
) -> None:
    bad = s3fs.S3FileSystem(
        key=ceph.access_key,
        secret="not-the-secret",
        client_kwargs={"endpoint_url": ceph.endpoint_url},
        skip_instance_cache=True,
    )
    with pytest.raises(PermissionError):
        bad.ls(bucket, refresh=True)
    with pytest.raises(PermissionError):
        bad.pipe(f"{bucket}/x", b"x")
    assert not ceph_fs.exists(f"{bucket}/x")
