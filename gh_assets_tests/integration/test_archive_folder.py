"""A copy of the archive in a folder (`file://`) or a bucket (`s3://`, a real Ceph gateway)."""

import datetime as dt

import pyarrow.parquet as pq
import s3fs

from gh_assets.defs.resources import DaskResource
from gh_assets.tables.storage import Storage
from gh_assets_tests.harnesses.pipeline import materialize_days, pipeline_resources
from gh_assets_tests.oracles.expected import expected_rows
from gh_assets_tests.oracles.tables_read import assert_day_matches
from gh_assets_tests.synthetic.days import fake_damaged_day, fake_day

DAY = dt.date(2016, 3, 1)


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
