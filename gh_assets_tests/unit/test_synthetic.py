"""Generated days look like the real formats; their expected rows and accounting hold."""

from __future__ import annotations

import gzip
import io
import json
import re
import zlib
from datetime import UTC, date
from pathlib import Path

import pytest
from isal import isal_zlib

from gh_assets_tests.oracles.expected import expected_accounting, expected_rows
from gh_assets_tests.oracles.gharchive_contract import hour_file_name
from gh_assets_tests.oracles.gharchive_reference import reference_day_rows
from gh_assets_tests.synthetic.days import COMMENT_TRAP, FakeDay, fake_damaged_day, fake_day
from gh_assets_tests.synthetic.eras import ERAS, PACIFIC, era_of
from gh_assets_tests.synthetic.hours import write_hour
from gh_assets_tests.synthetic.shapes import encode, render
from gh_assets_tests.synthetic.truth import FakePush

DAYS = {
    "legacy": date(2011, 2, 12),
    "timeline": date(2013, 3, 24),
    "events": date(2015, 1, 1),
    "slim": date(2025, 10, 8),
}
HEX40 = re.compile(r"[0-9a-f]{40}")


def day_files(fake: FakeDay) -> dict[str, list[bytes]]:
    return {hour_file_name(fake.day, hour): lines for hour, lines in fake.lines().items()}


def rendered_pushes(fake: FakeDay) -> list[dict]:
    events = [json.loads(line) for lines in day_files(fake).values() for line in lines]
    return [event for event in events if event["type"] == "PushEvent"]


@pytest.mark.parametrize("era", ERAS)
def test_expected_rows_match_the_reference_reader(era: str) -> None:
    fake = fake_day(DAYS[era], hours=range(4))
    assert era_of(DAYS[era]) == era
    assert reference_day_rows(day_files(fake)) == expected_rows(fake)


def test_mixed_shapes_around_the_payload_change() -> None:
    fake = fake_day(date(2025, 9, 8), eras=("events", "slim"), hours=range(3))
    pushes, _ = expected_rows(fake)
    assert {p["commit_count"] is None for p in pushes} == {True, False}
    assert reference_day_rows(day_files(fake)) == (pushes, expected_rows(fake)[1])


def test_events_api_shape() -> None:
    event = rendered_pushes(fake_day(DAYS["events"], hours=[1]))[0]
    assert list(event)[:7] == ["id", "type", "actor", "repo", "payload", "public", "created_at"]
    assert event["id"].isdigit() and event["created_at"].endswith("Z")
    assert "/" in event["repo"]["name"] and isinstance(event["repo"]["id"], int)
    payload = event["payload"]
    assert list(payload) == [
        "push_id",
        "size",
        "distinct_size",
        "ref",
        "head",
        "before",
        "commits",
    ]
    assert set(payload["commits"][0]) == {"sha", "author", "message", "distinct", "url"}


def test_slim_shape_has_no_commits_size_or_distinct_size() -> None:
    for event in rendered_pushes(fake_day(DAYS["slim"], hours=[0])):
        assert set(event["payload"]) == {"repository_id", "push_id", "ref", "head", "before"}
        assert int(event["id"]) > 2**32


def test_legacy_shape_with_deleted_repo() -> None:
    events = rendered_pushes(fake_day(DAYS["legacy"], hours=[0]))
    assert all(isinstance(e["id"], str) and e["created_at"].endswith("Z") for e in events)
    assert all(len(sha) == 4 for e in events for sha in e["payload"]["shas"])
    deleted = [e for e in events if e["repo"]["name"] == "/"]
    assert len(deleted) == 1 and "id" not in deleted[0]["repo"]
    assert deleted[0]["payload"]["repo"].count("/") == 1


def test_timeline_shape() -> None:
    fake = fake_day(DAYS["timeline"], hours=[0, 15])
    events = rendered_pushes(fake)
    assert all("id" not in e and isinstance(e["actor"], str) for e in events)
    assert all(e["actor_attributes"]["login"] == e["actor"] for e in events)
    assert all("/" not in e["repository"]["name"] and e["repository"]["owner"] for e in events)
    assert all(len(sha) == 5 for e in events for sha in e["payload"]["shas"])
    assert all("push_id" not in e["payload"] and "before" not in e["payload"] for e in events)
    stamps = [e["created_at"] for e in events]
    assert any(re.fullmatch(r"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d -0[78]00", s) for s in stamps)
    assert any(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-0[78]:00", s) for s in stamps)
    pushes, _ = expected_rows(fake)
    for row in pushes:
        assert row["created_at"].tzinfo == UTC
        assert row["created_at"].astimezone(PACIFIC).hour == int(row["source_file"][11:-8])


@pytest.mark.parametrize("era", ["legacy", "timeline", "events"])
def test_every_awkward_commit_case_is_present(era: str) -> None:
    pushes, commits = expected_rows(fake_day(DAYS[era], hours=range(2)))
    messages = [c["message"] for c in commits]
    assert max(map(len, messages)) > 2000
    assert any("\n" in m for m in messages) and any(not m.isascii() for m in messages)
    emails = [c["author_email"] for c in commits]
    assert any(re.fullmatch(r"[0-9a-f]{40}@[\w.]+", e) for e in emails)
    assert any(HEX40.fullmatch(e) for e in emails)
    assert "" in emails and any("@" in e and not HEX40.match(e) for e in emails)
    assert "" in {c["author_name"] for c in commits}
    assert any(p["size"] == 859 and p["commit_count"] == 20 for p in pushes)
    empty = [p for p in pushes if p["commit_count"] == 0]
    assert empty and all(p["size"] == 0 for p in empty)
    events_by_sha: dict[str, set] = {}
    for c in commits:
        events_by_sha.setdefault(c["sha"], set()).add((c["repo"], c["push_id"], c["created_at"]))
    assert any(len(events) > 1 for events in events_by_sha.values())


@pytest.mark.parametrize("era", ERAS)
def test_refs_and_empty_pushes(era: str) -> None:
    pushes, _ = expected_rows(fake_day(DAYS[era], hours=range(2)))
    refs = {p["ref"].split("/")[1] for p in pushes}
    assert refs == {"heads", "tags", "notes"}
    if era in ("events", "slim"):
        assert any(p["head"] == p["before"] for p in pushes)


@pytest.mark.parametrize("era", ERAS)
def test_duplicates_first_occurrence_wins(era: str) -> None:
    fake = fake_day(DAYS[era], hours=range(3))
    accounting = expected_accounting(fake)
    assert accounting.duplicates_dropped == 2
    first, second = fake.hours[0], fake.hours[1]
    repeated = [r for r in second.records if isinstance(r, FakePush) and r in first.records]
    assert len(repeated) == 1
    pushes, _ = expected_rows(fake)
    winner = [p for p in pushes if p["head"] == repeated[0].head and p["ref"] == repeated[0].ref]
    assert [p["source_file"] for p in winner] == [first.source_file]
    keys = [p["event_id"] or (p["created_at"], p["head"]) for p in pushes]
    assert len(keys) == len(set(keys))


def test_comment_mentioning_push_event_is_not_a_push() -> None:
    fake = fake_day(DAYS["events"], hours=[0])
    lines = day_files(fake)[hour_file_name(DAYS["events"], 0)]
    traps = [line for line in lines if b'"type":"IssueCommentEvent"' in line]
    assert traps and all(b"PushEvent" in line for line in traps)
    assert all(json.loads(line)["payload"]["comment"]["body"] == COMMENT_TRAP for line in traps)
    assert expected_accounting(fake).push_events == len(expected_rows(fake)[0])


def test_events_since_2025_05_24_can_belong_to_earlier_hours() -> None:
    pushes, _ = expected_rows(fake_day(date(2025, 6, 1), hours=range(4)))
    assert any(p["created_at"].hour < int(p["source_file"][11:-8]) for p in pushes)


def test_generation_is_deterministic_per_seed(tmp_path: Path) -> None:
    one = fake_day(DAYS["events"], hours=[0]).hours[0].body()
    assert one == fake_day(DAYS["events"], hours=[0]).hours[0].body()
    assert one != fake_day(DAYS["events"], seed=1, hours=[0]).hours[0].body()


def surviving_bytes(body: bytes) -> bytes:
    """Whatever a careful inflater gets out of a served body."""
    return zlib.decompressobj(wbits=31).decompress(body) if body[:2] == b"\x1f\x8b" else b""


@pytest.mark.parametrize("era", ERAS)
def test_damage_bookkeeping_matches_the_bytes(era: str) -> None:
    fake = fake_damaged_day(DAYS[era])
    for hour in range(2, 8):
        fake_hour = fake.hours[hour]
        data = surviving_bytes(fake_hour.body())
        complete = data[: data.rfind(b"\n") + 1] if fake_hour.gzip_cut else data
        present = {i for i, r in enumerate(fake_hour.records) if encode(render(r)) in complete}
        kept = {i for line in fake_hour.surviving_lines()[0] for i in line.kept}
        assert present == kept, hour
        assert (len(kept) < len(fake_hour.records)) == (hour != 5), hour  # `}{` loses nothing


@pytest.mark.parametrize("era", ERAS)
def test_damaged_bytes_look_like_the_real_damage(era: str) -> None:
    fake = fake_damaged_day(DAYS[era])
    raws = {h: fake.hours[h].raw() for h in range(2, 8)}
    assert re.search(rb"(^|\n)\x00{100,}\n", raws[2])
    cut_line = next(line for line in raws[3].split(b"\n") if line.count(b'"type":') > 1)
    with pytest.raises(ValueError):
        json.loads(cut_line)
    assert re.search(rb'"repo(sitory)?":nul$', raws[4])
    assert raws[5].count(b"}{") >= 2
    with pytest.raises(EOFError):
        gzip.decompress(fake.hours[6].body())
    assert fake.hours[7].body().startswith(b"<?xml")
    assert 8 not in fake.hours and 9 not in fake.hours


@pytest.mark.parametrize("era", ERAS)
def test_every_damaged_line_mentions_a_push(era: str) -> None:
    fake = fake_damaged_day(DAYS[era])
    for hour in range(2, 7):
        lines = fake.hours[hour].lines
        damaged = [line.data for line in lines if line.damaged and not line.nul_run]
        assert all(b'"PushEvent"' in data for data in damaged), hour
    tail = surviving_bytes(fake.hours[6].body()).rsplit(b"\n", 1)[1]
    assert b'"type":"PushEvent"' in tail


def test_truncated_gzip_gives_the_same_lines_to_every_inflater() -> None:
    fake_hour = fake_damaged_day(DAYS["events"]).hours[6]
    body = fake_hour.body()
    by_zlib = surviving_bytes(body)
    by_isal = isal_zlib.decompressobj(isal_zlib.MAX_WBITS | 16).decompress(body)
    read_lines = []
    with gzip.open(io.BytesIO(body)) as stream, pytest.raises(EOFError):
        for line in stream:
            read_lines.append(line)
    complete = len(fake_hour.surviving_lines()[0])
    assert by_zlib.count(b"\n") == by_isal.count(b"\n") == complete
    assert sum(line.endswith(b"\n") for line in read_lines) == complete


def test_accounting_of_the_damaged_day() -> None:
    clean = fake_day(DAYS["events"])
    fake = fake_damaged_day(DAYS["events"])
    accounting = expected_accounting(fake)
    assert accounting.missing_hours == (8, 9)
    assert accounting.damaged_hours == (2, 3, 4, 5, 6, 7)
    assert accounting.fragments_skipped == 3  # cut head, truncated last, gzip tail
    assert accounting.nul_runs == 1
    assert accounting.objects_recovered == 1 + 3  # the glued-on record, the `}{` triple
    assert accounting.duplicates_dropped == 2
    assert accounting.pushes_without_commit_list == 0
    pushes, commits = expected_rows(fake)
    assert (accounting.push_events, accounting.commits) == (len(pushes), len(commits))
    clean_pushes, _ = expected_rows(clean)
    assert all(p in clean_pushes for p in pushes)
    lost_hours = {hour_file_name(DAYS["events"], h) for h in (7, 8, 9)}
    assert not any(p["source_file"] in lost_hours for p in pushes)
    assert len(pushes) < len(clean_pushes) - 3 * 4


def test_accounting_counts_pushes_without_commit_list() -> None:
    fake = fake_day(DAYS["slim"], hours=range(2))
    accounting = expected_accounting(fake)
    assert accounting.pushes_without_commit_list == accounting.push_events > 0
    assert accounting.commits == 0
    assert accounting.missing_hours == tuple(range(2, 24))


def test_write_hour_gzips_hand_written_lines(tmp_path: Path) -> None:
    path = write_hour(tmp_path, "2015-01-01-0.json.gz", [b'{"a":1}', b'{"b":2}'])
    assert gzip.decompress(path.read_bytes()) == b'{"a":1}\n{"b":2}\n'
