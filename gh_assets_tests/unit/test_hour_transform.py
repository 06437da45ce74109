"""The per-file transform on raw bytes: what it keeps, what it counts, and the real hour."""

import contextlib
import gc
import gzip
import io
import json
import sys
from datetime import date

import pyarrow.parquet as pq
import pytest

from gh_assets.archive.folder import FolderArchive
from gh_assets.archive.source import ArchiveError
from gh_assets.compute.hour_transform import PUSH_MARKER, transform_hour, transform_stream
from gh_assets.reading.arrow_pushes import read_push_lines
from gh_assets.tables.storage import Storage
from gh_assets_tests.gharchive_samples import REAL_HOUR, SAMPLES_DIR, sample_lines
from gh_assets_tests.oracles.expected import expected_accounting
from gh_assets_tests.oracles.gharchive_contract import commit_sort_key, push_sort_key
from gh_assets_tests.oracles.gharchive_reference import reference_rows
from gh_assets_tests.oracles.tables_read import assert_rows_match
from gh_assets_tests.synthetic import damage
from gh_assets_tests.synthetic.days import fake_day
from gh_assets_tests.synthetic.hours import FakeHour, inflate
from gh_assets_tests.synthetic.truth import FakePush


def transform(data: bytes, source_file: str = "2015-01-01-0.json.gz", arrow_reader: bool = True):
    """The summary, push rows and commit rows of one gzip file's bytes."""
    pushes, commits = io.BytesIO(), io.BytesIO()
    sinks = {"push_events": pushes, "commits": commits}
    summary = transform_stream(io.BytesIO(data), source_file, sinks, arrow_reader)
    return summary, pq.read_table(pushes).to_pylist(), pq.read_table(commits).to_pylist()


def run(lines: list[bytes], arrow_reader: bool = True):
    data = gzip.compress(b"".join(line + b"\n" for line in lines))
    return transform(data, arrow_reader=arrow_reader)


def commit(sha: str, message: str) -> dict:
    return {
        "sha": sha,
        "author": {"email": "e@x", "name": "N"},
        "message": message,
        "distinct": True,
    }


def push(event_id: str, **payload) -> bytes:
    event = {
        "id": event_id,
        "type": "PushEvent",
        "actor": {"login": "octo"},
        "repo": {"id": 1, "name": "o/r"},
        "payload": {"push_id": 5, "ref": "refs/heads/main", **payload},
        "created_at": "2015-01-01T00:00:00Z",
    }
    return json.dumps(event).encode()


def test_real_hour_gives_the_reference_rows():
    name = "2015-01-01-1.json.gz"
    summary, pushes, commits = transform((SAMPLES_DIR / REAL_HOUR).read_bytes(), name)
    expected_pushes, expected_commits = reference_rows(sample_lines(REAL_HOUR), name)
    assert (summary.lines, summary.push_events, summary.commits) == (7427, 4150, 7642)
    assert_rows_match(pushes, expected_pushes, push_sort_key)
    assert_rows_match(commits, expected_commits, commit_sort_key)


def test_spacing_and_key_order_do_not_hide_a_push_and_a_mention_is_not_one():
    spaced = (
        b'{"created_at": "2015-01-01T00:00:00Z", "type" :  "PushEvent", "id": "7", "payload": {}}'
    )
    mention = json.dumps(
        {
            "id": "8",
            "type": "IssueCommentEvent",
            "payload": {"body": '"type":"PushEvent"'},
            "created_at": "2015-01-01T00:00:00Z",
        }
    ).encode()
    summary, pushes, _ = run([spaced, mention])
    assert [row["event_id"] for row in pushes] == ["7"]
    assert summary.lines == 2 and summary.events == 2


@pytest.mark.parametrize("arrow_reader", [True, False], ids=["arrow", "line-by-line"])
def test_blank_lines_are_counted_apart_not_as_events(arrow_reader):
    """Empty and whitespace-only lines, between events and at the end: no event, no damage."""
    summary, pushes, _ = run(
        [b"", push("1", commits=[]), b"", b"  \r", push("2", commits=[])], arrow_reader
    )
    assert [row["event_id"] for row in pushes] == ["1", "2"]
    assert (summary.lines, summary.blank_lines, summary.events) == (5, 3, 2)
    assert summary.damaged_lines == 0


def test_a_line_that_is_json_but_not_an_event_is_counted_not_lost():
    summary, pushes, _ = run([b'"PushEvent"', push("1", commits=[])])
    assert [row["event_id"] for row in pushes] == ["1"]
    assert (summary.damaged_lines, summary.fragments_skipped) == (1, 1)


def test_repeated_event_in_a_file_is_dropped_and_counted():
    summary, pushes, commits = run(
        [push("1", commits=[{"sha": "a"}]), push("1", commits=[{"sha": "a"}])]
    )
    assert len(pushes) == 1 and len(commits) == 1
    assert summary.duplicates_dropped == 1


@pytest.mark.parametrize("arrow_reader", [True, False], ids=["arrow", "line-by-line"])
def test_of_two_different_copies_of_an_event_in_a_file_the_first_is_kept(arrow_reader):
    first = push("1", head="a" * 40, commits=[commit("a" * 40, "the first copy")])
    other = push("2", head="b" * 40, commits=[])
    later = push(
        "1", head="c" * 40, commits=[commit("c" * 40, "a later copy"), commit("d" * 40, "")]
    )
    lines = [first, other, later]
    assert read_push_lines(lines) is not None  # so that the Arrow reader is the one tested
    summary, pushes, commits = run(lines, arrow_reader)
    assert [(row["event_id"], row["head"]) for row in pushes] == [("1", "a" * 40), ("2", "b" * 40)]
    assert [(row["event_id"], row["message"]) for row in commits] == [("1", "the first copy")]
    assert (summary.push_events, summary.commits, summary.duplicates_dropped) == (2, 1, 1)


def cut_inside_the_last_non_push(fake_hour: FakeHour) -> FakeHour:
    """A gzip break inside the last record that is not a push and can be cut after its type."""
    others = [i for i, record in enumerate(fake_hour.records) if not isinstance(record, FakePush)]
    for record in reversed(others):
        with contextlib.suppress(ValueError):
            damage.truncate_gzip(fake_hour, record)
            return fake_hour
    raise ValueError("no record to cut")


def end_in_a_cut_non_push(fake_hour: FakeHour) -> FakeHour:
    """The file's last record, not a push, cut after its type (`"repo":nul`, 2020-10-30-17)."""
    ordered = sorted(fake_hour.records, key=lambda record: not isinstance(record, FakePush))
    fake_hour = FakeHour(fake_hour.source_file, ordered)
    damage.truncate_last(fake_hour)
    return fake_hour


@pytest.mark.parametrize("arrow_reader", [True, False], ids=["arrow", "line-by-line"])
@pytest.mark.parametrize("cut", [cut_inside_the_last_non_push, end_in_a_cut_non_push])
def test_a_cut_last_line_without_a_push_is_damage_for_every_table(cut, arrow_reader):
    """The push tables parse only push lines, yet a file's cut last line counts for them as the
    damage it is (not as an event), as it does for `events` and the generator's accounting."""
    fake = fake_day(date(2015, 1, 1), hours=[0])
    fake_hour = fake.hours[0] = cut(fake.hours[0])
    body = fake_hour.body()
    assert PUSH_MARKER not in inflate(body).rsplit(b"\n", 1)[1]
    sinks = {table: io.BytesIO() for table in ("push_events", "commits", "events")}
    summary = transform_stream(
        io.BytesIO(body), fake_hour.source_file, sinks, arrow_reader, arrow_reader
    )
    figures = ("damaged_lines", "objects_recovered", "fragments_skipped")
    assert [getattr(summary, figure) for figure in figures] == [1, 0, 1]
    assert [getattr(summary.events_read, figure) for figure in figures] == [1, 0, 1]
    assert expected_accounting(fake).fragments_skipped == 1
    whole = sum(len(line.kept) for line in fake_hour.surviving_lines()[0])
    read = summary.events_read
    assert summary.events == read.events + read.duplicates_dropped == whole  # before dropping


def test_a_body_that_is_not_gzip_leaves_no_writer_to_close_itself_on_a_closed_file(
    tmp_path, monkeypatch
):
    """Else each attempt at such an hour printed `Exception ignored in ParquetWriter.__del__`
    (its staged files closed under it)."""
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    name = "2015-01-01-0.json.gz"
    (tmp_path / name).write_bytes(b"<Error><Code>NoSuchKey</Code></Error>")
    storage = Storage(str(tmp_path / "tables"))
    parts = {table: f"{storage.root}/{table}.parquet" for table in ("push_events", "commits")}
    failed = False
    try:  # not pytest.raises: its record of the error would keep the writers alive
        transform_hour(FolderArchive(f"file://{tmp_path}"), storage, name, parts)
    except ArchiveError:
        failed = True
    gc.collect()
    assert failed and unraisable == []
