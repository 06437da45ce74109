"""`repo_activity` computed by DuckDB from a day's `events` file (whole, or by the rows appended
since it was counted), without an asset around it."""

import datetime as dt
import json
import warnings
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq

from gh_assets.compute.day_files import PartRows, write_day_file
from gh_assets.compute.repo_activity import repo_activity_table, write_repo_activity
from gh_assets.reading.events_table import EventsTableBuilder
from gh_assets.tables.catalogue import EVENTS, REPO_ACTIVITY
from gh_assets.tables.storage import Storage
from gh_assets_tests.gharchive_samples import FIRST_100, MIXED_SMALL, sample_lines
from gh_assets_tests.oracles.events_oracle import assert_events_and_activity, oracle_rows_of_lines


def test_activity_of_a_folder_whose_name_quotes_sql_counts_the_events_without_warnings(tmp_path):
    root = tmp_path / "it's'; SELECT 1; --"
    storage = Storage(str(root))
    day, source_file = dt.date(2015, 1, 1), "2015-01-01-5.json.gz"
    lines = sample_lines(MIXED_SMALL)
    events = EventsTableBuilder(source_file).table(lines, valid_utf8=True)
    storage.write_table(storage.day_file(EVENTS.name, day), events)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # DuckDB warns of an extra copy of the rows
        written = write_repo_activity(storage, day)
    activity = assert_events_and_activity(root, day, oracle_rows_of_lines({source_file: lines}))
    assert written.repos == len(activity) > 10


def slimmed(line: bytes, new_id: int) -> bytes:
    """The event as GitHub sends it since 2025-10-07, under another id and a larger repository
    id (a repository made again under its name): a push without size or commits, a closed pull
    request without `merged`."""
    event = json.loads(line)
    event["id"], event["repo"]["id"] = str(new_id), event["repo"]["id"] + 1
    if event["type"] == "PushEvent":
        event["payload"] = {"ref": event["payload"].get("ref"), "head": "0" * 40}
    else:
        event["payload"]["pull_request"].pop("merged", None)
    return json.dumps(event).encode()


def grown_day(lines: list[bytes]) -> list[list[bytes]]:
    """The real sample in three hours, the last with slim copies of a push and a closed pull
    request of repositories counted in the first (their figures then become unknown)."""
    first, second, third = lines[:500], lines[500:900], lines[900:]
    api = [(line, event) for line in first if "repo" in (event := json.loads(line))]
    push = next(line for line, e in api if e["type"] == "PushEvent")
    closed = next(
        line
        for line, e in api
        if e["type"] == "PullRequestEvent" and e["payload"].get("action") == "closed"
    )
    return [first, second, [*third, slimmed(push, 10**12), slimmed(closed, 10**12 + 1)]]


def hour_part(folder: Path, source_file: str, lines: list[bytes]) -> str:
    """The hour's `events` rows as a Parquet part (one row group)."""
    part = str(folder / f"{source_file}.parquet")
    pq.write_table(EventsTableBuilder(source_file).table(lines, valid_utf8=True), part)
    return part


def test_a_day_grown_by_row_groups_is_counted_by_its_new_rows_as_a_whole_count_would(tmp_path):
    storage, day = Storage(str(tmp_path)), dt.date(2015, 1, 1)
    events, activity = storage.day_file(EVENTS.name, day), storage.day_file(REPO_ACTIVITY.name, day)
    hours = grown_day(sample_lines(MIXED_SMALL))
    files = {f"2015-01-01-{hour}.json.gz": lines for hour, lines in enumerate(hours)}
    for source_file, lines in files.items():
        part = hour_part(tmp_path, source_file, lines)
        # the first hour written whole, then each appended as a day grows (row groups copied)
        stored = [PartRows(events)] if storage.fs.exists(events) else []
        write_day_file(storage, events, EVENTS, [*stored, PartRows(part)])
        assert write_repo_activity(storage, day).events_counted == pq.read_metadata(part).num_rows
        assert storage.read_table(activity).equals(repo_activity_table(storage, day))
    assert_events_and_activity(storage, day, oracle_rows_of_lines(files))
    everything = storage.row_count(events)
    assert write_repo_activity(storage, day, whole=True).events_counted == everything  # force
    counted = storage.read_table(activity)
    assert pc.sum(pc.is_null(counted["commits"])).as_py() == 1
    assert pc.sum(pc.is_null(counted["pull_requests_merged"])).as_py() == 1

    # the day built again with other rows first and as many row groups: counted whole
    other = sample_lines(FIRST_100)
    rebuilt = [
        hour_part(tmp_path, name, lines)
        for name, lines in [*list(files.items())[1:], ("2015-01-01-3.json.gz", other)]
    ]
    rows = write_day_file(storage, events, EVENTS, [PartRows(part) for part in rebuilt])
    assert write_repo_activity(storage, day).events_counted == rows
    assert storage.read_table(activity).equals(repo_activity_table(storage, day))
