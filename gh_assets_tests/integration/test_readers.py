"""The tables as other readers see them: DuckDB, pandas, polars and Spark (S3: test_s3)."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import polars as pl
import pytest

from gh_assets.defs.resources import DaskResource
from gh_assets_tests.harnesses.archive_mirror import ArchiveMirror
from gh_assets_tests.harnesses.availability import require_service
from gh_assets_tests.harnesses.pipeline import materialize_days, pipeline_resources
from gh_assets_tests.oracles.events_oracle import oracle_rows_of_fake
from gh_assets_tests.oracles.expected import expected_rows
from gh_assets_tests.synthetic.days import write_fake_days

DAYS = [dt.date(2015, 1, 1), dt.date(2015, 1, 2)]
TABLES = ("push_events", "commits", "events", "repo_activity")
TIME_COLUMN = {"repo_activity": "first_event_at"}


@pytest.fixture(scope="module")
def tables(tmp_path_factory, dask_processes) -> tuple[Path, dict[str, Counter]]:
    """Two days written by the pipeline to a local folder, and their rows per day and table."""
    root = tmp_path_factory.mktemp("readers")
    fakes = write_fake_days(root / "mirror", DAYS, hours=[0, 13])
    with ArchiveMirror(root / "mirror") as mirror, dg.instance_for_test() as instance:
        dask = DaskResource(mode="address", address=dask_processes.address)
        resources = pipeline_resources(mirror, root / "tables", dask)
        result = materialize_days(resources, instance, str(DAYS[0]), str(DAYS[-1]))
        assert result.success
    rows = {table: Counter() for table in TABLES}
    for day, fake in zip(DAYS, fakes, strict=True):
        pushes, commits = expected_rows(fake)
        events = oracle_rows_of_fake(fake)
        rows["push_events"][str(day)], rows["commits"][str(day)] = len(pushes), len(commits)
        rows["events"][str(day)] = len(events)
        rows["repo_activity"][str(day)] = len({row["repo"] for row in events} - {None})
    return root / "tables", rows


@pytest.mark.parametrize("table", TABLES)
def test_duckdb(tables, table):
    folder, rows = tables
    counts = duckdb.sql(
        f"SELECT date, count(*) FROM read_parquet('{folder}/{table}/*/*.parquet', "
        "hive_partitioning = true) GROUP BY date"
    ).fetchall()
    assert Counter({str(day): count for day, count in counts}) == rows[table]


def test_duckdb_reads_payloads_as_json_and_joins_the_activity(tables):
    """The README's examples: JSON functions on `payload`, and `repo_activity` per repository."""
    folder, _ = tables
    connection = duckdb.connect()
    events = f"read_parquet('{folder}/events/*/*.parquet', hive_partitioning = true)"
    activity = f"read_parquet('{folder}/repo_activity/*/*.parquet', hive_partitioning = true)"
    refs = connection.sql(
        f"SELECT payload->>'$.ref' AS ref, count(*) FROM {events} "
        "WHERE type = 'PushEvent' GROUP BY ref"
    ).fetchall()
    assert {ref for ref, _ in refs} >= {"refs/tags/v1.2.0", "refs/notes/commits"}
    [(joined, mismatched)] = connection.sql(
        f"""
        SELECT count(*), count(*) FILTER (a.stars != e.stars) FROM {activity} a
        JOIN (SELECT date, repo, count(*) FILTER (type = 'WatchEvent') AS stars
              FROM {events} WHERE repo IS NOT NULL GROUP BY ALL) e USING (date, repo)
        """
    ).fetchall()
    assert joined > 0 and mismatched == 0


@pytest.mark.parametrize("table", TABLES)
def test_pandas(tables, table):
    folder, rows = tables
    frame = pd.read_parquet(folder / table)
    assert Counter(frame["date"].astype(str)) == rows[table]
    assert str(frame[TIME_COLUMN.get(table, "created_at")].dtype) == "datetime64[us, UTC]"


@pytest.mark.parametrize("table", TABLES)
def test_polars(tables, table):
    folder, rows = tables
    frame = pl.read_parquet(f"{folder}/{table}/**/*.parquet", hive_partitioning=True)
    assert Counter(map(str, frame["date"].to_list())) == rows[table]
    assert frame.schema[TIME_COLUMN.get(table, "created_at")] == pl.Datetime("us", "UTC")


def test_spark(tables):
    require_service(
        shutil.which("java") is not None, "no Java (bash .ci/install-system-packages.sh)"
    )
    from pyspark.sql import SparkSession

    folder, rows = tables
    spark = (
        SparkSession.builder.master("local[1]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    try:
        for table in TABLES:
            frame = spark.read.parquet(str(folder / table))
            counts = {
                str(row["date"]): row["count"] for row in frame.groupBy("date").count().collect()
            }
            assert Counter(counts) == rows[table]
            assert dict(frame.dtypes)[TIME_COLUMN.get(table, "created_at")] == "timestamp"
    finally:
        spark.stop()
