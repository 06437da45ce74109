"""Tables on S3: a real Ceph RADOS Gateway on loopback, written by Dask worker processes."""

import datetime as dt
import os
import signal
import subprocess
import sys

import dagster as dg
import duckdb
import pyarrow.dataset as ds
import pytest

from gh_assets.compute.day_files import PartRows, write_day_file
from gh_assets.compute.repo_activity import repo_activity_table, write_repo_activity
from gh_assets.defs.resources import DaskResource
from gh_assets.reading.events_table import EventsTableBuilder
from gh_assets.tables.catalogue import EVENTS, REPO_ACTIVITY
from gh_assets.tables.storage import Storage, StorageError
from gh_assets_tests.gharchive_samples import MIXED_SMALL, sample_lines
from gh_assets_tests.harnesses.pipeline import ASSETS, materialize_days, pipeline_resources
from gh_assets_tests.oracles.events_oracle import assert_events_and_activity, oracle_rows_of_fake
from gh_assets_tests.oracles.expected import expected_rows
from gh_assets_tests.oracles.tables_read import assert_day_matches
from gh_assets_tests.synthetic.days import fake_day, write_fake_days

DAYS = [dt.date(2019, 4, day) for day in (1, 2, 3)]


@pytest.fixture
def s3_resources(mirror, s3_url, s3_env, s3_dask_processes):
    return pipeline_resources(
        mirror,
        s3_url,
        DaskResource(mode="address", address=s3_dask_processes.address),
        s3_endpoint_url=s3_env["GH_ASSETS_S3_ENDPOINT_URL"],
    )


def storage_of(s3_url: str, s3_env: dict) -> Storage:
    return Storage(s3_url, endpoint_url=s3_env["GH_ASSETS_S3_ENDPOINT_URL"])


def materialize(resources, instance, first: str, last: str):
    return materialize_days(resources, instance, first, last)


def test_a_range_of_days_on_s3_reads_back_in_pyarrow_and_duckdb(
    mirror_root, s3_resources, s3_url, s3_env, instance
):
    fakes = write_fake_days(mirror_root, DAYS, hours=[0, 11, 23])
    result = materialize(s3_resources, instance, "2019-04-01", "2019-04-03")
    storage = storage_of(s3_url, s3_env)
    for fake in fakes:
        assert_day_matches(storage, fake.day, *expected_rows(fake))
        assert_events_and_activity(storage, fake.day, oracle_rows_of_fake(fake))
    paths = {
        event.partition: event.materialization.metadata["path"].value
        for event in result.get_asset_materialization_events()
        if event.asset_key == dg.AssetKey("commits")
    }
    assert paths == {str(day): f"{s3_url}/commits/date={day}/data.parquet" for day in DAYS}

    expected_commits = sum(len(expected_rows(fake)[1]) for fake in fakes)
    dataset = ds.dataset(
        f"{storage.root}/commits", filesystem=storage.fs, format="parquet", partitioning="hive"
    )
    assert dataset.count_rows() == expected_commits
    assert sorted(dataset.to_table(columns=["date"])["date"].unique().to_pylist()) == [
        str(day) for day in DAYS
    ]

    connection = duckdb.connect()
    connection.register_filesystem(storage.fs)  # DuckDB's own httpfs is a download away
    rows = connection.execute(
        "SELECT date, count(*) FROM read_parquet(?, hive_partitioning = true) "
        "GROUP BY date ORDER BY date",
        [f"{s3_url}/push_events/*/*.parquet"],
    ).fetchall()
    assert rows == [(fake.day, len(expected_rows(fake)[0])) for fake in fakes]


def test_replacing_a_day_leaves_only_the_new_rows(
    mirror_root, s3_resources, s3_url, s3_env, instance
):
    day = dt.date(2019, 5, 5)
    fake = fake_day(day, hours=[0, 1, 2])
    fake.write(mirror_root)
    materialize(s3_resources, instance, day.isoformat(), day.isoformat())
    (mirror_root / "2019-05-05-2.json.gz").unlink()
    del fake.hours[2]
    materialize(s3_resources, instance, day.isoformat(), day.isoformat())
    storage = storage_of(s3_url, s3_env)
    assert_day_matches(storage, day, *expected_rows(fake))
    for table in ("push_events", "commits"):
        assert storage.fs.ls(storage.day_dir(table, day)) == [storage.day_file(table, day)]
    assert not storage.fs.exists(f"{storage.root}/_staging") or not storage.fs.ls(
        f"{storage.root}/_staging"
    )


KILLED_WRITER = """
import os, sys, time
from gh_assets.tables.storage import Storage
storage = Storage(sys.argv[1], endpoint_url=sys.argv[2])
with storage.open_atomic(sys.argv[3]) as file:
    for _ in range(12):  # 120 MB: s3fs uploads 50 MiB parts as the buffer fills
        file.write(os.urandom(10_000_000))
    print("parts uploaded", flush=True)
    time.sleep(600)
"""


def test_repo_activity_of_a_day_grown_on_s3_counts_only_the_appended_rows(s3_url, s3_env):
    storage, day = storage_of(s3_url, s3_env), dt.date(2019, 6, 3)
    events, activity = storage.day_file(EVENTS.name, day), storage.day_file(REPO_ACTIVITY.name, day)
    lines = sample_lines(MIXED_SMALL)
    for hour, chunk in enumerate((lines[:700], lines[700:])):
        part = f"{storage.root}/parts/{day}-{hour}.parquet"
        hour_rows = EventsTableBuilder(f"{day}-{hour}.json.gz").table(chunk, valid_utf8=True)
        storage.write_table(part, hour_rows)
        stored = [PartRows(events)] if hour else []  # the second hour appended
        write_day_file(storage, events, EVENTS, [*stored, PartRows(part)])
        assert write_repo_activity(storage, day).events_counted == hour_rows.num_rows
    assert storage.read_table(activity).equals(repo_activity_table(storage, day))


def test_a_writer_killed_mid_upload_leaves_the_published_day_whole(s3_url, s3_env):
    """SIGKILL gives no chance to clean up: the upload stays incomplete, hence invisible."""
    storage = storage_of(s3_url, s3_env)
    day_file = storage.day_file("commits", dt.date(2019, 6, 1))
    storage.fs.pipe_file(day_file, b"the published day")
    writer = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, s3_url, storage.endpoint_url, day_file],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert writer.stdout.readline() == "parts uploaded\n", writer.communicate()
        bucket = s3_url.removeprefix("s3://").split("/")[0]
        uploads = storage.fs.call_s3("list_multipart_uploads", Bucket=bucket).get("Uploads", [])
        assert [upload["Key"] for upload in uploads] == [day_file.split("/", 1)[1]]
    finally:
        os.killpg(writer.pid, signal.SIGKILL)
        writer.wait()
    storage.fs.invalidate_cache()
    assert storage.fs.cat(day_file) == b"the published day"
    assert storage.fs.ls(storage.day_dir("commits", dt.date(2019, 6, 1))) == [day_file]


def test_a_write_that_fails_mid_upload_is_discarded(s3_url, s3_env):
    storage = storage_of(s3_url, s3_env)
    day_file = storage.day_file("commits", dt.date(2019, 6, 2))
    storage.fs.pipe_file(day_file, b"the published day")
    with (
        pytest.raises(RuntimeError, match="failed mid-write"),
        storage.open_atomic(day_file) as file,
    ):
        file.write(os.urandom(60_000_000))  # one 50 MiB part is uploaded before the failure
        raise RuntimeError("the worker failed mid-write")
    storage.fs.invalidate_cache()
    assert storage.fs.cat(day_file) == b"the published day"
    bucket = s3_url.removeprefix("s3://").split("/")[0]
    assert not storage.fs.call_s3("list_multipart_uploads", Bucket=bucket).get("Uploads")


def test_missing_bucket_is_a_clear_error_before_any_work(s3_env, ceph, monkeypatch):
    for name, value in s3_env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(StorageError, match="cannot write to 's3://no-such-"):
        storage_of("s3://no-such-bucket-here/x", s3_env).check_writable()


def test_wrong_credentials_are_a_clear_error_before_any_work(
    mirror, mirror_root, s3_url, s3_env, monkeypatch, instance
):
    fake_day(dt.date(2019, 6, 1), hours=[0]).write(mirror_root)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    resources = pipeline_resources(
        mirror,
        s3_url,
        DaskResource(mode="local"),
        s3_endpoint_url=s3_env["GH_ASSETS_S3_ENDPOINT_URL"],
    )
    result = dg.materialize(
        ASSETS,
        resources=resources,
        instance=instance,
        partition_key="2019-06-01",
        raise_on_error=False,
    )
    assert not result.success
    failure = result.get_step_failure_events()[0].step_failure_data.error.to_string()
    assert "GH_ASSETS_STORAGE: cannot write to 's3://" in failure
    assert "not-the-secret" not in failure
    assert not mirror.requests


def test_secrets_reach_no_metadata_log_or_table(
    mirror_root, s3_resources, s3_url, s3_env, instance, monkeypatch
):
    """Recognizable secrets in the environment: the S3 keys in use, and a Coiled token."""
    monkeypatch.setenv("DASK_COILED__TOKEN", "coiled-token-SECRET-4c1d")
    day = dt.date(2019, 7, 7)
    fake_day(day, hours=[0, 1]).write(mirror_root)
    result = materialize(s3_resources, instance, day.isoformat(), day.isoformat())
    secrets = [
        s3_env["AWS_SECRET_ACCESS_KEY"],
        s3_env["AWS_ACCESS_KEY_ID"],
        "coiled-token-SECRET-4c1d",
    ]
    records = instance.all_logs(result.run_id)
    assert records
    for record in records:
        for secret in secrets:
            assert secret not in repr(record)
    storage = storage_of(s3_url, s3_env)
    paths = storage.fs.find(storage.root)
    materialized = {
        event.asset_key.to_user_string() for event in result.get_asset_materialization_events()
    }
    assert sorted(paths) == sorted(storage.day_file(table, day) for table in materialized)
    for path in paths:
        content = repr(storage.read_table(path).to_pylist())
        assert not [secret for secret in secrets if secret in content], path
