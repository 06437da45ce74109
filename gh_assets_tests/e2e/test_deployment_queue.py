"""The deployment's run queue with the real daemon: two backfills and the sensor's runs submitted
together, over shared days, with Coiled for the backfills' ranges.

Coiled's cloud is out of reach: the code location served is `coiled_definitions`, in which
`fake_coiled` stands in for `coiled.Cluster` (a local multi-process cluster that records when it
is created and closed). Everything else is real: `make serve` over PostgreSQL, a real S3 server
for the tables (as a Coiled cluster needs), the loopback mirror as the archive.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator

import dagster as dg
import pytest

from gh_assets.defs.deployment.run_queue import CLUSTER_TAG, DAYS_TAG
from gh_assets.defs.resources.dask_cluster import run_day_span
from gh_assets.tables.storage import Storage
from gh_assets_tests.harnesses.archive_mirror import ArchiveMirror
from gh_assets_tests.harnesses.deployment import deployment_instance, make_serve
from gh_assets_tests.harnesses.fake_coiled import RECORD_ENV, read_record
from gh_assets_tests.harnesses.processes import wait_for
from gh_assets_tests.oracles.expected import expected_rows
from gh_assets_tests.oracles.tables_read import assert_day_matches
from gh_assets_tests.synthetic.days import write_fake_days

ASSETS = ("gharchive_manifest", "push_events", "commits", "events", "repo_activity")
DAYS = [dt.date(2016, 6, day) for day in range(1, 7)]  # 06-06 only completes 06-05
BACKFILLS = [("2016-06-01", "2016-06-03"), ("2016-06-04", "2016-06-06")]
SENSOR_DAYS = {
    "2016-06-03",
    "2016-06-04",
    "2016-06-05",
}  # 3 a tick, from GH_ASSETS_SENSOR_FIRST_DAY
SENSOR = "gharchive_day_sensor"


@pytest.fixture
def served(tmp_path_factory, postgres, s3_url, s3_env) -> Iterator[tuple]:
    folder = tmp_path_factory.mktemp("queue")
    fakes = dict(zip(DAYS, write_fake_days(folder / "archive", DAYS, hours=[0]), strict=True))
    url = postgres.create_database("queue")
    record = folder / "coiled.jsonl"
    settings = {
        **s3_env,
        "GH_ASSETS_DASK_MODE": "auto",
        "GH_ASSETS_COILED_THRESHOLD": "2",  # the 3-day backfill runs take Coiled
        "GH_ASSETS_MAX_COILED_RUNS": "1",
        "GH_ASSETS_SENSOR_FIRST_DAY": min(SENSOR_DAYS),
        "DASK_COILED__TOKEN": "fake-coiled-token-for-tests",
        RECORD_ENV: str(record),
    }
    storage = Storage(s3_url, endpoint_url=s3_env["GH_ASSETS_S3_ENDPOINT_URL"])
    with (
        ArchiveMirror(folder / "archive") as mirror,
        make_serve(
            folder / "home",
            url,
            mirror,
            storage,
            folder / "serve.log",
            settings,
            module="gh_assets_tests.harnesses.coiled_definitions",
        ) as server,
        deployment_instance(folder / "home", url) as instance,
    ):
        yield server, instance, fakes, record


def overlapping(a: tuple, b: tuple) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def test_backfills_and_sensor_runs_never_exceed_the_queues_limits(served) -> None:
    """Backfills of 06-01..06-03 and 06-04..06-06 (Coiled runs) and, queued behind them, the
    sensor's runs of 06-03, 06-04 and 06-05 (local runs, sharing a day with a backfill each) all
    finish; no two runs that share a day and no two Coiled runs were ever running at once, and
    each backfill did its work on Coiled."""
    server, instance, fakes, record = served
    backfills = [server.launch_backfill(ASSETS, first, last) for first, last in BACKFILLS]
    wait_for(
        lambda: all(server.backfill(backfill_id)["runs"] for backfill_id in backfills),
        120,
        "the backfills' runs",
    )
    server.start_sensor(SENSOR)

    def sensor_runs():
        return instance.get_run_records(dg.RunsFilter(tags={"dagster/sensor_name": SENSOR}))

    wait_for(lambda: len(sensor_runs()) == len(SENSOR_DAYS), 120, "the sensor's runs")
    for backfill_id in backfills:
        backfill = server.wait_for_backfill(backfill_id, timeout=900)
        assert backfill["status"] == "COMPLETED_SUCCESS", (backfill, server.log)
    wait_for(
        lambda: all(r.dagster_run.is_finished for r in sensor_runs()), 600, "the sensor's runs"
    )
    records = instance.get_run_records()
    runs = {record.dagster_run.run_id: record for record in records}
    assert {r.dagster_run.tags.get("dagster/partition") for r in sensor_runs()} == SENSOR_DAYS
    assert len(runs) == len(backfills) + len(SENSOR_DAYS), runs  # no failure, no retry
    assert all(r.dagster_run.status == dg.DagsterRunStatus.SUCCESS for r in records), records

    clusters = {run_id: r.dagster_run.tags.get(CLUSTER_TAG) for run_id, r in runs.items()}
    assert sorted(clusters.values()) == ["coiled", "coiled", "local", "local", "local"], clusters
    spans = {run_id: run_day_span(r.dagster_run.tags) for run_id, r in runs.items()}
    assert all(DAYS_TAG in r.dagster_run.tags for r in records)
    times = {run_id: (r.start_time, r.end_time) for run_id, r in runs.items()}
    for a, b in itertools.combinations(runs, 2):
        shared_day = spans[a][0] <= spans[b][1] and spans[b][0] <= spans[a][1]
        both_coiled = clusters[a] == clusters[b] == "coiled"
        if shared_day or both_coiled:
            assert not overlapping(times[a], times[b]), (spans[a], spans[b], times[a], times[b])

    # the backfills' runs found their 3 days to build and took Coiled: two clusters, in turn
    events = [entry["event"] for entry in read_record(record) if entry["event"] != "adapt"]
    assert events == ["created", "started", "closed"] * 2, events
    for day in DAYS:
        assert_day_matches(server.storage, day, *expected_rows(fakes[day]))
