"""The tables as other readers see them: pandas, polars and Spark (pyarrow and DuckDB: test_s3)."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from pathlib import Path

import dagster as dg
import pandas as pd
import polars as pl
import pytest

from gh_assets.defs.resources import DaskResource
from gh_assets_tests.harnesses.archive_mirror import ArchiveMirror
from gh_assets_tests.harnesses.availability import require_service
from gh_assets_tests.harnesses.pipeline import materialize_days, pipeline_resources
from gh_assets_tests.oracles.expected import expected_rows
from gh_assets_tests.synthetic.days import write_fake_days

DAYS = [dt.date(2015, 1, 1), dt.date(2015, 1, 2)]


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
    rows = {"push_events": Counter(), "commits": Counter()}
    for day, fake in zip(DAYS, fakes, strict=True):
        pushes, commits = expected_rows(fake)
        rows["push_events"][str(day)], rows["commits"][str(day)] = len(pushes), len(commits)
    return root / "tables", rows


@pytest.mark.parametrize("table", ["push_events", "commits"])
def test_pandas(tables, table):
    folder, rows = tables
    frame = pd.read_parquet(folder / table)
    assert Counter(frame["date"].astype(str)) == rows[table]
    assert str(frame["created_at"].dtype) == "datetime64[us, UTC]"


@pytest.mark.parametrize("table", ["push_events", "commits"])
def test_polars(tables, table):
    folder, rows = tables
    frame = pl.read_parquet(f"{folder}/{table}/**/*.parquet", hive_partitioning=True)
    assert Counter(map(str, frame["date"].to_list())) == rows[table]
    assert frame.schema["created_at"] == pl.Datetime("us", "UTC")


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
        for table in ("push_events", "commits"):
            frame = spark.read.parquet(str(folder / table))
            counts = {
                str(row["date"]): row["count"] for row in frame.groupBy("date").count().collect()
            }
            assert Counter(counts) == rows[table]
            assert dict(frame.dtypes)["created_at"] == "timestamp"
    finally:
        spark.stop()
