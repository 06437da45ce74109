"""The events reader: fast and careful readings agree, and both equal the independent oracle."""

from __future__ import annotations

import dataclasses
import gzip
import io
import json
from datetime import date

import pyarrow.parquet as pq
import pytest

from gh_assets.compute import events_part
from gh_assets.compute.hour_transform import transform_stream
from gh_assets.reading.fast_events import fast_row
from gh_assets.reading.records import NotGzipError
from gh_assets_tests.gharchive_samples import FIRST_100, MIXED_SMALL, REAL_HOUR, sample_lines
from gh_assets_tests.oracles.events_oracle import (
    assert_events_match,
    oracle_rows_of_fake,
    oracle_rows_of_lines,
)
from gh_assets_tests.synthetic.days import fake_damaged_day, fake_day
from gh_assets_tests.synthetic.eras import ERAS
from gh_assets_tests.unit.test_arrow_pushes import HOUR_BODIES, PUSH, line, push


def read(body: bytes, fast: bool, source_file: str = "2015-01-01-1.json.gz"):
    """(events accounting, stream damage, rows) of one file read for `events` alone."""
    sink = io.BytesIO()
    summary = transform_stream(io.BytesIO(body), source_file, {"events": sink}, fast_events=fast)
    damage = (summary.lines, summary.nul_runs, summary.truncated, summary.push_events)
    return summary.events_read, damage, pq.read_table(sink).to_pylist()


@pytest.mark.parametrize("batch_bytes", [300, 8 << 20], ids=["tiny-batches", "default-batches"])
@pytest.mark.parametrize("hour", HOUR_BODIES)
def test_fast_and_careful_readings_are_equal(hour, batch_bytes, monkeypatch) -> None:
    """Every real sample and generated hour of every era and damage kind, both ways."""
    monkeypatch.setattr(events_part, "EVENT_BYTES_PER_READ", batch_bytes)
    body = HOUR_BODIES[hour]()
    if not body.startswith(b"\x1f\x8b"):
        for fast in (True, False):
            with pytest.raises(NotGzipError):
                read(body, fast)
        return
    fast, careful = read(body, True), read(body, False)
    assert fast == careful
    assert careful[2]


def test_the_real_hour_is_read_fast_whole_and_equals_the_oracle() -> None:
    lines = sample_lines(REAL_HOUR)
    assert all(fast_row(line) is not None for line in lines)
    body = gzip.compress(b"\n".join(lines) + b"\n")
    accounting, _, rows = read(body, True)
    assert accounting.events == len(rows) == 7427
    assert_events_match(rows, oracle_rows_of_lines({"2015-01-01-1.json.gz": lines}))


@pytest.mark.parametrize("sample", [MIXED_SMALL, FIRST_100])
def test_real_samples_equal_the_oracle(sample) -> None:
    lines = sample_lines(sample)
    _, _, rows = read(gzip.compress(b"\n".join(lines)), True)
    assert_events_match(rows, oracle_rows_of_lines({"2015-01-01-1.json.gz": lines}))


DAYS = {
    "legacy": date(2011, 2, 12),
    "timeline": date(2013, 3, 24),
    "events": date(2015, 1, 1),
    "slim": date(2025, 10, 8),
}


@pytest.mark.parametrize("damaged", [False, True], ids=["whole", "damaged"])
@pytest.mark.parametrize("era", ERAS)
def test_generated_hours_equal_the_oracle(era, damaged) -> None:
    """Each hour alone (de-duplication across files is the day's publish)."""
    fake = (fake_damaged_day if damaged else fake_day)(DAYS[era])
    for hour in fake.hours.values():
        if hour.not_gzip:
            continue
        one = dataclasses.replace(fake, hours={0: hour})
        _, _, rows = read(hour.body(), True, hour.source_file)
        assert_events_match(rows, oracle_rows_of_fake(one))


def test_the_generated_first_hour_has_every_kind_of_its_era() -> None:
    types = {row["type"] for row in oracle_rows_of_fake(fake_day(date(2013, 3, 24), hours=[0]))}
    assert {"GistEvent", "FollowEvent", "DownloadEvent", "ForkEvent", "PushEvent"} <= types


DECLINED = {
    "no id (timeline)": line({key: value for key, value in PUSH.items() if key != "id"}),
    "numeric id": line(push(id=2489651045)),
    "actor without login": line(push(actor={"id": 1})),
    "empty login": line(push(actor__login="")),
    "actor as a string": line(push(actor="octo")),
    "actor id as a digit string": line(push(actor__id="1")),
    "actor id as a float": line(push(actor__id=1.0)),
    "deleted repo": line(push(repo={"name": "/"}, payload__repo="octo/gone")),
    "repo without id": line(push(repo={"name": "octo/repo"}, payload__repository_id=7)),
    "public as a string": line(push(public="true")),
    "org login as a number": line(push(org={"id": 1, "login": 5})),
    "timeline members": line(push(repository={"organization": "o", "id": 1})),
    "no created_at": line({key: value for key, value in PUSH.items() if key != "created_at"}),
    "not an event type": line(push(type="Push")),
    "two objects glued": line(PUSH) + line(push(id="2")),
    "lone surrogate": line(PUSH).replace(b'"m"', b'"\\ud800"'),
    "cut record": line(PUSH)[:-40],
    "array, not object": b"[" + line(PUSH) + b"]",
    "NaN in the payload": line(PUSH).replace(b'"size": 2', b'"size": NaN'),
}
READ_ALIKE = {
    "repeated payload": line(PUSH)[:-1] + b',"payload":{"action":"x"}}',
    "repeated action": line(push(payload={"action": "a", "x": {"action": "c"}})).replace(
        b'"action": "a"', b'"action": "a", "action": "b"'
    ),
    "action spelled with an escape": line(PUSH).replace(
        b'"payload": {', b'"payload": {"\\u0061ction": "e", '
    ),
    "action not a string": line(push(payload={"action": 5})),
    "payload not an object": line(push(payload=[1, 2])),
    "no payload": line({key: value for key, value in PUSH.items() if key != "payload"}),
    "repo id beyond int64": line(push(repo__id=2**64)),
    "number beyond double range": line(PUSH).replace(b'"size": 2', b'"size": 1e400'),
    "spaces": json.dumps(PUSH, indent=1).replace("\n", " ").encode(),
    "escaped slash": line(PUSH).replace(b"refs/heads", b"refs\\/heads"),
    "bot with an org": line(push(actor__login="ci[bot]", org={"id": 3, "login": "org"})),
}


@pytest.mark.parametrize("odd", DECLINED.values(), ids=DECLINED.keys())
def test_the_fast_reader_declines_what_it_might_read_differently(odd: bytes) -> None:
    assert odd != line(PUSH)
    assert fast_row(odd) is None
    body = gzip.compress(b"\n".join([line(push(id="1")), odd]) + b"\n")
    assert read(body, True) == read(body, False)


@pytest.mark.parametrize("odd", READ_ALIKE.values(), ids=READ_ALIKE.keys())
def test_the_fast_reader_reads_odd_but_whole_lines_as_the_careful_one(odd: bytes) -> None:
    assert odd != line(PUSH)
    body = gzip.compress(b"\n".join([line(push(id="1")), odd]) + b"\n")
    fast, careful = read(body, True), read(body, False)
    assert fast == careful
    assert careful[0].damaged_lines == 0


def test_invalid_utf8_is_read_carefully_and_counted() -> None:
    odd = line(PUSH).replace(b'"m"', b'"\xff"')
    body = gzip.compress(b"\n".join([line(push(id="1")), odd]) + b"\n")
    fast, careful = read(body, True), read(body, False)
    assert fast == careful
    assert careful[0].damaged_lines == 1 and careful[0].objects_recovered == 1


def test_payload_is_the_text_as_it_stands_in_the_line() -> None:
    text = line(PUSH).replace(b"refs/heads", b"refs\\/heads")
    _, _, [row] = read(gzip.compress(text), True)
    assert row["payload"].encode() in text and "\\/" in row["payload"]


def tables_of(body: bytes, tables: tuple[str, ...]):
    sinks = {table: io.BytesIO() for table in tables}
    summary = transform_stream(io.BytesIO(body), "2015-01-01-1.json.gz", sinks)
    return summary, {table: pq.read_table(sink).to_pylist() for table, sink in sinks.items()}


@pytest.mark.parametrize("hour", ["real-2015-01-01-1", "all-eras-damaged-3", "events-damaged-6"])
def test_one_reading_gives_each_table_as_its_own_reading_does(hour) -> None:
    """All three tables from one pass equal push tables alone and events alone; a table not asked
    for is not read (no events accounting without `events`, no push rows without push tables)."""
    body = HOUR_BODIES[hour]()
    together, rows = tables_of(body, ("push_events", "commits", "events"))
    pushes_alone, push_rows = tables_of(body, ("push_events", "commits"))
    events_alone, event_rows = tables_of(body, ("events",))
    assert rows == push_rows | event_rows
    assert pushes_alone.events_read is None and events_alone.push_events == 0
    assert together.events_read == events_alone.events_read
    push_figures = ("lines", "push_events", "commits", "damaged_lines", "objects_recovered")
    for figure in push_figures:
        assert getattr(together, figure) == getattr(pushes_alone, figure), figure


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "careful"])
def test_of_two_different_copies_of_an_event_in_a_file_the_first_is_kept(fast) -> None:
    """As the push tables do: the copies differ, so keeping the last would show."""
    first = push(id="41", actor__login="first-copy")
    other = push(id="42")
    later = push(id="41", actor__login="later-copy")
    body = gzip.compress(b"\n".join(line(event) for event in (first, other, later)) + b"\n")
    accounting, _, rows = read(body, fast)
    assert [(row["event_id"], row["actor_login"]) for row in rows] == [
        ("41", "first-copy"),
        ("42", "octo"),
    ]
    assert accounting.duplicates_dropped == 1
