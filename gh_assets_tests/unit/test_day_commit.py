import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from gh_assets.compute.day_publish import commit_day, first_occurrences, top_counts
from gh_assets.compute.repo_activity import write_repo_activity
from gh_assets.tables.catalogue import COMMITS, PUSH_EVENTS
from gh_assets.tables.storage import Storage

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
        "push_events": f"{storage.root}/stage/p-{stem}.parquet",
        "commits": f"{storage.root}/stage/c-{stem}",
    }
    storage.fs.makedirs(f"{storage.root}/stage", exist_ok=True)
    pq.write_table(pushes, part["push_events"])
    pq.write_table(commits, part["commits"])
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


def test_repo_activity_of_a_day_without_events_says_what_to_build_first(tmp_path):
    with pytest.raises(FileNotFoundError, match="materialize `events` for 2015-01-01 first"):
        write_repo_activity(Storage(str(tmp_path)), DAY)
