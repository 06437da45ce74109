"""The day's publish: repeats across files dropped with their commits, parts joined undecoded
exactly as decoding and encoding them would write them."""

import dataclasses
import datetime as dt
import io
from contextlib import ExitStack

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from gh_assets.compute import day_files
from gh_assets.compute.day_publish import commit_day, first_occurrences, top_counts
from gh_assets.compute.hour_transform import transform_stream
from gh_assets.compute.repo_activity import write_repo_activity
from gh_assets.tables.catalogue import COMMITS, EVENTS, PUSH_EVENTS
from gh_assets.tables.parquet_concat import ConcatRefused
from gh_assets.tables.storage import Storage
from gh_assets_tests.oracles.expected import expected_rows
from gh_assets_tests.oracles.tables_read import assert_day_matches
from gh_assets_tests.synthetic.days import FakeDay, fake_day
from gh_assets_tests.synthetic.hours import FakeHour
from gh_assets_tests.synthetic.truth import FakePush

DAY = dt.date(2015, 1, 1)


def ids(*values: str) -> pa.ChunkedArray:
    return pa.chunked_array([pa.array(values, pa.string())])


def test_first_occurrences_keeps_the_first_copy_in_part_order():
    masks = first_occurrences([ids("a", "b"), ids("c", "a"), ids("d"), ids("b", "e")])
    assert masks[0] is None and masks[2] is None
    assert masks[1].to_pylist() == [True, False]
    assert masks[3].to_pylist() == [False, True]


def test_first_occurrences_of_nothing():
    assert first_occurrences([ids(), ids()]) == [None, None]


def write_part(storage: Storage, stem: str, event_ids: list[str], commits_per_event: int):
    pushes = pa.Table.from_pylist(
        [{"event_id": event_id, "source_file": stem} for event_id in event_ids],
        schema=PUSH_EVENTS.schema,
    )
    commits = pa.Table.from_pylist(
        [
            {"event_id": event_id, "commit_index": index, "source_file": stem}
            for event_id in event_ids
            for index in range(commits_per_event)
        ],
        schema=COMMITS.schema,
    )
    part = {
        PUSH_EVENTS.name: f"{storage.root}/stage/p-{stem}.parquet",
        COMMITS.name: f"{storage.root}/stage/c-{stem}.parquet",
    }
    storage.fs.makedirs(f"{storage.root}/stage", exist_ok=True)
    pq.write_table(pushes, part[PUSH_EVENTS.name])
    pq.write_table(commits, part[COMMITS.name])
    return part


def test_commit_day_drops_repeats_across_files_with_their_commits(tmp_path):
    storage = Storage(str(tmp_path))
    parts = [
        write_part(storage, "h0", ["1", "2"], commits_per_event=2),
        write_part(storage, "h1", ["2", "3"], commits_per_event=2),
    ]
    summary = commit_day(storage, DAY, parts, f"{storage.root}/stage")
    pushes = pq.read_table(storage.day_file("push_events", DAY))
    commits = pq.read_table(storage.day_file("commits", DAY))
    assert pushes.column("event_id").to_pylist() == ["1", "2", "3"]
    assert pushes.column("source_file").to_pylist() == ["h0", "h0", "h1"]
    pairs = zip(commits["event_id"].to_pylist(), commits["source_file"].to_pylist(), strict=True)
    assert sorted(pairs) == [
        ("1", "h0"),
        ("1", "h0"),
        ("2", "h0"),
        ("2", "h0"),
        ("3", "h1"),
        ("3", "h1"),
    ]
    assert (summary.push_events, summary.commits, summary.duplicates_across_files) == (3, 6, 1)
    assert not storage.fs.exists(f"{storage.root}/stage")


def test_commit_day_of_a_day_without_files_writes_empty_tables(tmp_path):
    storage = Storage(str(tmp_path))
    commit_day(storage, DAY, [], f"{storage.root}/stage")
    pushes = pq.read_table(storage.day_file("push_events", DAY))
    assert pushes.num_rows == 0 and pushes.schema == PUSH_EVENTS.schema


def test_replacing_a_day_leaves_one_file_and_no_temporaries(tmp_path):
    storage = Storage(str(tmp_path))
    for event_ids in (["1", "2", "3"], ["4"]):
        commit_day(storage, DAY, [write_part(storage, "h0", event_ids, 1)], f"{storage.root}/stage")
    day_dir = tmp_path / "push_events" / "date=2015-01-01"
    assert [path.name for path in day_dir.iterdir()] == ["data.parquet"]
    assert pq.read_table(day_dir / "data.parquet")["event_id"].to_pylist() == ["4"]


def test_top_counts_most_first_then_by_name():
    repos = pa.chunked_array([["b/y", "a/x", "c/z", None], ["b/y", "a/x", None, "d/w"]])
    assert top_counts(repos, limit=3) == [("a/x", 2), ("b/y", 2), (None, 2)]
    assert top_counts(pa.chunked_array([], pa.string())) == []


TABLES = (PUSH_EVENTS.name, COMMITS.name, EVENTS.name)


def staged_parts(storage: Storage, fake: FakeDay) -> list[dict[str, str]]:
    """The parts the transform writes for each hour of `fake`, staged as a run stages them."""
    parts = []
    for fake_hour in fake.hours.values():
        stem = fake_hour.source_file.removesuffix(".json.gz")
        part = {table: f"{storage.root}/stage/{table}/{stem}.parquet" for table in TABLES}
        with ExitStack() as files:
            for path in part.values():
                storage.make_parent(path)
            sinks = {table: files.enter_context(open(path, "wb")) for table, path in part.items()}
            transform_stream(io.BytesIO(fake_hour.body()), fake_hour.source_file, sinks)
        parts.append(part)
    return parts


def refuse(parts, out):
    raise ConcatRefused("refused by the test")


def publish(root, fake: FakeDay):
    """The day's summary (paths left out) and its files' bytes, by table."""
    storage = Storage(str(root))
    parts = staged_parts(storage, fake)
    summary = commit_day(storage, fake.day, parts, f"{storage.root}/stage", TABLES)
    assert_day_matches(storage, fake.day, *expected_rows(fake))
    files = {table: storage.fs.cat_file(storage.day_file(table, fake.day)) for table in TABLES}
    paths = {f"{table}_path": "" for table in TABLES}
    return dataclasses.replace(summary, **paths), files


def with_repeated_hour(fake: FakeDay, records: int) -> FakeDay:
    """`fake` whose hour 1 starts with the first `records` of hour 0 (as an archive re-upload)."""
    hours = dict(fake.hours)
    hours[1] = FakeHour(hours[1].source_file, hours[0].records[:records] + hours[1].records)
    return dataclasses.replace(fake, hours=hours)


DAYS = {
    "events-api": fake_day(dt.date(2015, 1, 1), hours=range(4), pushes_per_hour=40),
    "timeline": fake_day(dt.date(2013, 3, 24), hours=range(3), pushes_per_hour=40),
}
DAYS["repeated-hour"] = with_repeated_hour(DAYS["events-api"], records=30)


@pytest.mark.parametrize("name", DAYS)
def test_joined_parts_are_the_bytes_that_decoding_and_encoding_writes(name, tmp_path, monkeypatch):
    """Every table. Every generated day repeats a push in a later file, so one part is filtered and
    encoded again before the join; the repeated hour repeats many events, pushes with commits."""
    joined = publish(tmp_path / "joined", DAYS[name])
    monkeypatch.setattr(day_files, "concatenate", refuse)
    decoded = publish(tmp_path / "decoded", DAYS[name])
    assert joined == decoded


def test_an_hour_repeating_another_gives_the_day_without_the_repeats(tmp_path):
    summary, files = publish(tmp_path / "repeated", DAYS["repeated-hour"])
    base_summary, base_files = publish(tmp_path / "base", DAYS["events-api"])
    assert files == base_files
    repeated = sum(isinstance(r, FakePush) for r in DAYS["events-api"].hours[0].records[:30])
    assert repeated > 5
    assert summary.duplicates_across_files == base_summary.duplicates_across_files + repeated
    assert summary.event_duplicates_across_files == base_summary.event_duplicates_across_files + 30


def test_repo_activity_of_a_day_without_events_says_what_to_build_first(tmp_path):
    with pytest.raises(FileNotFoundError, match="materialize `events` for 2015-01-01 first"):
        write_repo_activity(Storage(str(tmp_path)), DAY)
