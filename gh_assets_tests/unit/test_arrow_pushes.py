"""The Arrow reader of push lines gives exactly what the line-by-line reader gives, or declines."""

from __future__ import annotations

import dataclasses
import gzip
import io
import json
from collections.abc import Callable
from datetime import date
from functools import cache, partial

import pyarrow.parquet as pq
import pytest

from gh_assets.compute import hour_transform
from gh_assets.compute.hour_transform import PUSH_MARKER, transform_stream
from gh_assets.reading.arrow_pushes import read_push_lines
from gh_assets.reading.records import NotGzipError
from gh_assets_tests.gharchive_samples import (
    FIRST_100,
    MIXED_SMALL,
    REAL_HOUR,
    SAMPLES_DIR,
    sample_lines,
)
from gh_assets_tests.synthetic.days import FakeDay, fake_damaged_day, fake_day
from gh_assets_tests.synthetic.eras import ERAS

PUSH = {
    "id": "2489651045",
    "type": "PushEvent",
    "actor": {"id": 1, "login": "octo"},
    "repo": {"id": 7, "name": "octo/repo"},
    "payload": {
        "push_id": 536863970,
        "size": 2,
        "distinct_size": 1,
        "ref": "refs/heads/main",
        "head": "b" * 40,
        "before": "a" * 40,
        "commits": [
            {
                "sha": "c" * 40,
                "author": {"email": "e@x", "name": "N"},
                "message": "m",
                "distinct": True,
            },
            {"sha": "d" * 40, "author": None, "message": "ü\n😀", "distinct": False},
        ],
    },
    "public": True,
    "created_at": "2015-01-01T01:00:00Z",
}


def push(**changes: object) -> dict:
    event = json.loads(json.dumps(PUSH))
    for path, value in changes.items():
        *parents, key = path.split("__")
        holder = event
        for parent in parents:
            holder = holder[parent]
        holder[key] = value
    return event


def line(event: dict) -> bytes:
    return json.dumps(event, ensure_ascii=False).encode()


def both_readings(body: bytes, source_file: str) -> tuple[tuple, tuple]:
    """(summary, push rows, commit rows) with the Arrow reader and with line-by-line reading."""
    readings = []
    for arrow_reader in (True, False):
        pushes, commits = io.BytesIO(), io.BytesIO()
        summary = transform_stream(
            io.BytesIO(body), source_file, {"push_events": pushes, "commits": commits}, arrow_reader
        )
        readings.append(
            (
                dataclasses.replace(summary, seconds=0.0),
                pq.read_table(pushes).to_pylist(),
                pq.read_table(commits).to_pylist(),
            )
        )
    return readings[0], readings[1]


def gzip_sample(sample: str) -> bytes:
    return gzip.compress(b"".join(line + b"\n" for line in sample_lines(sample)))


def hour_bodies() -> dict[str, Callable[[], bytes]]:
    """Every real sample and generated hour of every era, damaged ones included, made on demand."""
    bodies: dict[str, Callable[[], bytes]] = {
        "real-2015-01-01-1": (SAMPLES_DIR / REAL_HOUR).read_bytes,
        MIXED_SMALL: partial(gzip_sample, MIXED_SMALL),
        FIRST_100: partial(gzip_sample, FIRST_100),
    }
    days = {
        "legacy": date(2011, 2, 12),
        "timeline": date(2013, 3, 24),
        "events": date(2015, 1, 1),
        "slim": date(2025, 10, 8),
    }
    fakes = {f"{era}-day": partial(fake_day, day, hours=range(2)) for era, day in days.items()}
    fakes |= {f"{era}-damaged": partial(fake_damaged_day, day) for era, day in days.items()}
    fakes["all-eras-damaged"] = partial(fake_damaged_day, date(2025, 10, 6), eras=ERAS)
    fakes = {name: cache(make) for name, make in fakes.items()}
    for name, make in fakes.items():
        for hour in make().hours:
            bodies[f"{name}-{hour}"] = partial(fake_hour_body, make, hour)
    return bodies


def fake_hour_body(make: Callable[[], FakeDay], hour: int) -> bytes:
    return make().hours[hour].body()


HOUR_BODIES = hour_bodies()


@pytest.mark.parametrize("batch_bytes", [300, 8 << 20], ids=["tiny-batches", "default-batches"])
@pytest.mark.parametrize("hour", HOUR_BODIES)
def test_same_rows_and_accounting_as_line_by_line(hour, batch_bytes, monkeypatch) -> None:
    """Tiny batches mix Arrow-read and line-by-line batches within one file."""
    monkeypatch.setattr(hour_transform, "PUSH_BYTES_PER_READ", batch_bytes)
    body = HOUR_BODIES[hour]()
    if not body.startswith(b"\x1f\x8b"):
        for arrow_reader in (True, False):
            with pytest.raises(NotGzipError):
                transform_stream(
                    io.BytesIO(body),
                    "x",
                    {"push_events": io.BytesIO(), "commits": io.BytesIO()},
                    arrow_reader,
                )
        return
    fast, careful = both_readings(body, "2015-01-01-1.json.gz")
    assert fast == careful
    assert careful[0].push_events and careful[1]


def test_the_real_hour_is_read_by_arrow_whole() -> None:
    lines = [line for line in sample_lines(REAL_HOUR) if PUSH_MARKER in line]
    pushes = read_push_lines(lines)
    assert pushes is not None
    assert len(pushes) == sum(json.loads(line)["type"] == "PushEvent" for line in lines) == 4150


def test_events_api_and_slim_pushes_and_a_mention_are_read_by_arrow() -> None:
    slim = push(
        id="3", payload={"repository_id": 7, "push_id": 1, "ref": "r", "head": "h", "before": "b"}
    )
    mention = {
        "id": "9",
        "type": "IssueCommentEvent",
        "actor": {"login": "x"},
        "payload": {"comment": {"body": '"type":"PushEvent"'}},
        "created_at": "2015-01-01T01:00:00Z",
    }
    pushes = read_push_lines([line(PUSH), line(slim), line(mention)])
    assert pushes is not None and len(pushes) == 2
    body = gzip.compress(b"\n".join(line(e) for e in (PUSH, slim, mention)))
    fast, careful = both_readings(body, "2015-01-01-1.json.gz")
    assert fast == careful
    assert [row["commit_count"] for row in fast[1]] == [2, None]
    assert [(row["commit_index"], row["author_name"]) for row in fast[2]] == [(0, "N"), (1, None)]


DECLINED = {
    "old-format commit list": line(push(payload__shas=[["a", "e", "m", "n", True]])),
    "no id": line({key: value for key, value in PUSH.items() if key != "id"}),
    "numeric id": line(push(id=2489651045)),
    "actor without login": line(push(actor={"id": 1})),
    "empty login": line(push(actor__login="")),
    "actor as a string": line(push(actor="octo")),
    "deleted repo": line(push(repo={"name": "/"}, payload__repo="octo/gone")),
    "time with an offset": line(push(created_at="2015-01-01T01:00:00-08:00")),
    "fractional seconds": line(push(created_at="2015-01-01T01:00:00.5Z")),
    "unpadded time": line(push(created_at="2015-1-1T1:00:00Z")),
    "february 30": line(push(created_at="2015-02-30T01:00:00Z")),
    "second 60": line(push(created_at="2015-01-01T01:00:60Z")),
    "leading space": line(push(created_at=" 2015-01-01T01:00:0Z")),
    "year 0": line(push(created_at="0000-01-01T01:00:00Z")),
    "null in the commit list": line(push(payload__commits=[None])),
    "commit author as a string": line(push(payload__commits=[{"sha": "c", "author": "a"}])),
    "distinct as a number": line(push(payload__commits=[{"sha": "c", "distinct": 1}])),
    "size as a digit string": line(push(payload__size="2")),
    "repo id as a float": line(push(repo__id=7.0)),
    "two objects glued": line(PUSH) + line(push(id="2")),
    "lone surrogate": line(PUSH).replace(b'"m"', b'"\\ud800"'),
    "repeated key": line(PUSH).replace(b'"type"', b'"id": "5", "type"'),
    "cut record": line(PUSH)[:-40],
    "array, not object": b"[" + line(PUSH) + b"]",
}


@pytest.mark.parametrize("odd", DECLINED.values(), ids=DECLINED.keys())
def test_arrow_declines_what_it_might_read_differently(odd: bytes) -> None:
    lines = [line(push(id="1")), odd]
    assert read_push_lines(lines) is None
    fast, careful = both_readings(gzip.compress(b"\n".join(lines) + b"\n"), "2015-01-01-1.json.gz")
    assert fast == careful


BEYOND_INT64 = {
    "2**63": 2**63,
    "2**64+1": 2**64 + 1,
    "-2**63-1": -(2**63) - 1,
    "-2**64-1": -(2**64) - 1,
}
INT64_MEMBERS = {  # the member's number in a real push line, and the columns that show it
    "repo id": (rb'"repo":{"id":', {"push_events": "repo_id", "events": "repo_id"}),
    "actor id": (rb'"actor":{"id":', {"events": "actor_id"}),
    "push id": (rb'"push_id":', {"push_events": "push_id", "commits": "push_id"}),
    "size": (rb'"size":', {"push_events": "size"}),
    "distinct size": (rb'"distinct_size":', {"push_events": "distinct_size"}),
}


def with_number(text: bytes, member: bytes, number: int) -> bytes:
    start = text.index(member) + len(member)
    end = start + len(text[start:]) - len(text[start:].lstrip(b"-0123456789"))
    return text[:start] + str(number).encode() + text[end:]


@pytest.mark.parametrize("number", BEYOND_INT64.values(), ids=BEYOND_INT64.keys())
@pytest.mark.parametrize("member", INT64_MEMBERS, ids=INT64_MEMBERS.keys())
def test_a_number_beyond_int64_is_null_in_every_table_as_in_events(member, number) -> None:
    """Whole (read by orjson: an int up to 2**64-1, a float beyond) and glued onto the next line
    (read by json: an int), as both push readers and the events reader read it."""
    key, columns = INT64_MEMBERS[member]
    real = [text for text in sample_lines(REAL_HOUR) if PUSH_MARKER in text][:4]
    whole, glued = (with_number(text, key, number) for text in real[:2])
    body = gzip.compress(b"\n".join([whole, glued + real[2], real[3]]) + b"\n")
    readings = []
    for arrow_reader in (True, False):
        sinks = {table: io.BytesIO() for table in ("push_events", "commits", "events")}
        summary = transform_stream(io.BytesIO(body), "2015-01-01-1.json.gz", sinks, arrow_reader)
        tables = {table: pq.read_table(sink).to_pylist() for table, sink in sinks.items()}
        readings.append((dataclasses.replace(summary, seconds=0.0), tables))
    assert readings[0] == readings[1]
    summary, tables = readings[0]
    assert summary.push_events == len(tables["push_events"]) == len(tables["events"]) == 4
    odd_ids = {json.loads(text)["id"] for text in real[:2]}
    for table, column in columns.items():
        values = {row["event_id"]: row[column] for row in tables[table]}
        assert {values[event_id] for event_id in odd_ids} == {None}, (table, column)
        assert all(values[event_id] is not None for event_id in values.keys() - odd_ids)
    events = {row["event_id"]: row["repo_id"] for row in tables["events"]}
    assert events == {row["event_id"]: row["repo_id"] for row in tables["push_events"]}


def test_json_booleans_in_integer_fields_are_null_not_one_or_zero() -> None:
    """Python's `True == 1`: a reader that takes a bool for an int writes 1 and 0 where the
    archive has no number. Both push readers, and `events` both ways, must say null."""
    odd = push(
        payload__push_id=True, payload__size=False, payload__distinct_size=True, repo__id=True
    )
    odd["actor"]["id"] = True
    body = gzip.compress(line(odd) + b"\n")
    for _, pushes, _ in both_readings(body, "2015-01-01-1.json.gz"):
        [row] = pushes
        assert (row["push_id"], row["size"], row["distinct_size"], row["repo_id"]) == (None,) * 4
    for fast in (True, False):
        events = io.BytesIO()
        transform_stream(
            io.BytesIO(body), "2015-01-01-1.json.gz", {"events": events}, fast_events=fast
        )
        [row] = pq.read_table(events).to_pylist()
        assert (row["actor_id"], row["repo_id"]) == (None, None)
