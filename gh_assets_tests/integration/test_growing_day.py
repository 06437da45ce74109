"""A day the archive is not done with grows hour by hour: each run reads only the new hours.

Generated hour files named for the real current dates are published on the loopback mirror (a
real HTTP server) a few at a time; after each, a run of the day on the multi-process Dask cluster.
Yesterday has ended, so its last hours are late until they appear ("yesterday completed after
midnight"); today's hours are only those that have ended. The mirror's request log says what
each run downloaded; the grown day is compared with one build of the same files, row for row.
"""

import datetime as dt
import threading

import dagster as dg
import duckdb
import pyarrow.parquet as pq

from gh_assets.archive.names import hour_filename
from gh_assets_tests.harnesses.pipeline import materialize_days, metadata_of, pipeline_resources
from gh_assets_tests.oracles.expected import expected_rows
from gh_assets_tests.oracles.tables_read import assert_day_matches
from gh_assets_tests.synthetic.days import FakeDay, fake_day
from gh_assets_tests.synthetic.hours import FakeHour

TODAY = dt.datetime.now(dt.UTC).date()
YESTERDAY = TODAY - dt.timedelta(days=1)
TABLES = ("push_events", "commits", "events")
# Figures of a day that do not depend on how it was built (the run's workers, times and sizes do)
DAY_FIGURES = (
    "dagster/row_count",
    "events",
    "push_events",
    "commits",
    "duplicates_dropped",
    "files_read",
    "hours_read",
    "complete",
    "hours_missing",
    "lines_read",
    "bytes_downloaded",
    "top_repos",
    "event_types",
)


def with_repeats_across_hours(fake: FakeDay, *hours: int) -> FakeDay:
    """`fake` with the first event of each of `hours` repeated at the end of the next hour."""
    changed = dict(fake.hours)
    for hour in hours:
        following = changed[hour + 1]
        repeated = changed[hour].records[0]
        changed[hour + 1] = FakeHour(following.source_file, [*following.records, repeated])
    return FakeDay(fake.day, changed)


def publish(fake: FakeDay, hours: range, root) -> FakeDay:
    """Publish these hours of `fake` on the mirror; the day as published so far."""
    for hour in hours:
        path = root / fake.hours[hour].source_file
        path.write_bytes(fake.hours[hour].body())
    published = {
        h: fake.hours[h] for h in fake.hours if (root / fake.hours[h].source_file).exists()
    }
    return FakeDay(fake.day, published)


def figures_of(result, table: str) -> dict:
    figures = metadata_of(result, table)
    return {name: figures.get(name) for name in DAY_FIGURES}


def test_a_day_grows_by_its_new_hours_and_ends_as_one_build_of_them(
    mirror, mirror_root, address_resources, dask_processes, storage_dir, tmp_path, instance
):
    # repeats from a hour read by an earlier run (2 -> 3), and within a run (3 -> 4): each kept once
    fake = fake_day(YESTERDAY, pushes_per_hour=2, others_per_hour=2)
    fake = with_repeats_across_hours(fake, 2, 3)
    day = YESTERDAY.isoformat()
    events_before = 0
    for published_now in (range(0, 3), range(3, 5), range(5, 24)):
        so_far = publish(fake, published_now, mirror_root)
        since = len(mirror.requests)
        result = materialize_days(address_resources, instance, day)
        assert result.success
        assert mirror.files_sent(since) == sorted(
            hour_filename(YESTERDAY, h) for h in published_now
        )
        assert_day_matches(storage_dir, YESTERDAY, *expected_rows(so_far))
        # repo_activity counts only the events rows this run appended
        events_now = metadata_of(result, "events")["dagster/row_count"]
        assert metadata_of(result, "repo_activity")["events_counted"] == events_now - events_before
        events_before = events_now
        complete = published_now.stop == 24
        for table in TABLES:
            figures = metadata_of(result, table)
            assert figures["hours_read"] == f"{published_now.stop}/24", table
            assert figures["complete"] is complete, table
            assert figures.get("hours_missing", 0) == 0, table
        manifest = metadata_of(result, "gharchive_manifest")
        assert (manifest["complete"], manifest["hours_pending"]) == (
            complete,
            24 - published_now.stop,
        )
        assert all(e.passed for e in result.get_asset_check_evaluations()), [
            (e.check_name, e.description) for e in result.get_asset_check_evaluations()
        ]
    assert metadata_of(result, "events")["duplicates_dropped"] >= 2  # the repeats across hours

    # the same files built at once, elsewhere: the same rows in the same order, the same figures
    whole_dir = tmp_path / "whole"
    whole = pipeline_resources(mirror, whole_dir, address_resources["dask"])
    with dg.instance_for_test() as other:
        at_once = materialize_days(whole, other, day)
    assert at_once.success
    for table in (*TABLES, "repo_activity"):
        grown = pq.read_table(storage_dir / table / f"date={day}" / "data.parquet")
        built = pq.read_table(whole_dir / table / f"date={day}" / "data.parquet")
        assert grown.equals(built), table
        if table != "repo_activity":
            assert figures_of(result, table) == figures_of(at_once, table), table

    # complete and up to date: nothing is downloaded again
    since = len(mirror.requests)
    again = materialize_days(address_resources, instance, day)
    assert again.success and mirror.files_sent(since) == []
    assert metadata_of(again, "events")["rebuilt"] is False


def test_todays_partition_grows_by_each_hour_that_has_ended(
    mirror, mirror_root, address_resources, storage_dir, instance
):
    """Today's hours so far (at most 3; none at 00:xx UTC), published one at a time, each
    followed by a run of today that downloads that hour alone."""
    ended = min(dt.datetime.now(dt.UTC).hour, 3)
    fake = fake_day(TODAY, pushes_per_hour=2, others_per_hour=2)
    for hours_so_far in range(1 if ended else 0, ended + 1):
        new = range(hours_so_far - 1, hours_so_far) if hours_so_far else range(0)
        so_far = publish(fake, new, mirror_root)
        since = len(mirror.requests)
        result = materialize_days(address_resources, instance, TODAY.isoformat())
        assert result.success
        assert mirror.files_sent(since) == [fake.hours[hour].source_file for hour in new]
        assert_day_matches(storage_dir, TODAY, *expected_rows(so_far))
        figures = metadata_of(result, "push_events")
        assert (figures["hours_read"], figures["complete"]) == (f"{hours_so_far}/24", False)
        evaluations = {e.check_name: e for e in result.get_asset_check_evaluations() if e.partition}
        assert all(e.passed for e in evaluations.values())  # a partial day is not a faulty day
        assert "still to come" in evaluations["archive_has_the_day"].description


def test_a_reader_querying_the_day_while_hours_are_appended_sees_whole_hours(
    mirror, mirror_root, address_resources, storage_dir, instance
):
    """DuckDB counts the day's events in a loop while runs append hours: every answer is the
    day after some whole run, and no query fails."""
    fake = fake_day(YESTERDAY, pushes_per_hour=20, others_per_hour=20)
    path = storage_dir / "events" / f"date={YESTERDAY}" / "data.parquet"
    query = f"SELECT count(*), count(DISTINCT event_id) FROM read_parquet('{path}')"
    publish(fake, range(0, 1), mirror_root)
    assert materialize_days(address_resources, instance, YESTERDAY.isoformat()).success
    answers, errors, done = [], [], threading.Event()

    def read() -> None:
        connection = duckdb.connect()
        while not done.is_set():
            try:
                answers.append(connection.execute(query).fetchone())
            except duckdb.Error as error:
                errors.append(error)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        counts = [pq.read_metadata(path).num_rows]
        for hour in range(1, 6):
            publish(fake, range(hour, hour + 1), mirror_root)
            assert materialize_days(address_resources, instance, YESTERDAY.isoformat()).success
            counts.append(pq.read_metadata(path).num_rows)
    finally:
        done.set()
        reader.join()
    assert not errors, errors[:3]
    assert len(answers) > len(counts)  # the reader ran throughout
    assert {rows for rows, _ in answers} <= set(counts)
    assert all(rows == distinct for rows, distinct in answers)
    assert len(set(counts)) == len(counts)  # each hour added rows
