"""A copy of the archive in a folder (`file://`) or a bucket (`s3://`, a real Ceph gateway)."""

import datetime as dt
import pickle

import pyarrow.parquet as pq
import pytest
import s3fs

from gh_assets.archive.source import ArchiveError
from gh_assets.defs.resources import ArchiveResource, DaskResource
from gh_assets.tables.storage import Storage
from gh_assets_tests.conftest import materialize_days, pipeline_resources
from gh_assets_tests.gharchive_fakes import expected_rows, fake_damaged_day, fake_day
from gh_assets_tests.tables_read import assert_day_matches

DAY = dt.date(2016, 3, 1)


def test_a_folder_answers_like_the_archive(tmp_path):
    fake_day(DAY, hours=[0, 3]).write(tmp_path)
    client = pickle.loads(pickle.dumps(ArchiveResource(base_url=f"file://{tmp_path}").client()))
    files = client.probe_day(DAY)
    assert [file.exists for file in files] == [hour in (0, 3) for hour in range(24)]
    first = files[0]
    assert (first.status, first.size) == (200, (tmp_path / first.filename).stat().st_size)
    assert first.last_modified.endswith(" GMT") and files[1].status == 404
    assert client.open(files[1].filename) is None
    with client.open(first.filename) as body:
        assert body.read() == (tmp_path / first.filename).read_bytes()
        assert body.position == first.size


def test_a_folder_that_does_not_exist_is_an_error_not_missing_hours(tmp_path):
    client = ArchiveResource(base_url=f"file://{tmp_path}/gharchvie").client()
    with pytest.raises(ArchiveError, match="gharchvie'?: no such folder"):
        client.probe_day(DAY)


def test_a_day_from_a_folder_of_damaged_files(tmp_path, storage_dir, dask_processes, instance):
    """The same rows as from the HTTP mirror; the not-gzip hour is skipped when asked."""
    fake = fake_damaged_day(DAY)
    fake.write(tmp_path / "archive")
    dask = DaskResource(mode="address", address=dask_processes.address)
    resources = pipeline_resources(
        f"file://{tmp_path}/archive", storage_dir, dask, unreadable_files="skip"
    )
    result = materialize_days(resources, instance, DAY.isoformat())
    assert result.success
    assert_day_matches(storage_dir, DAY, *expected_rows(fake))
    manifest = pq.read_table(storage_dir / "gharchive_manifest" / f"date={DAY}" / "data.parquet")
    assert sum(manifest["exists"].to_pylist()) == len(fake.hours)


def test_a_day_from_a_bucket_to_a_bucket(s3_url, s3_env, s3_dask_processes, ceph, instance):
    fake = fake_day(DAY, hours=[0, 1, 2])
    bucket = s3_url.removeprefix("s3://").split("/")[0]
    fs = s3fs.S3FileSystem(**ceph.storage_options)
    for hour in fake.hours.values():
        fs.pipe_file(f"{bucket}/archive/{hour.source_file}", hour.body())
    endpoint = s3_env["GH_ASSETS_S3_ENDPOINT_URL"]
    dask = DaskResource(mode="address", address=s3_dask_processes.address)
    resources = pipeline_resources(f"s3://{bucket}/archive", s3_url, dask, endpoint)
    assert materialize_days(resources, instance, DAY.isoformat()).success
    assert_day_matches(Storage(s3_url, endpoint_url=endpoint), DAY, *expected_rows(fake))
