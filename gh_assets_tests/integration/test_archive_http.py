"""The archive client against a real HTTP server on loopback that injects faults."""

import datetime as dt
import logging
import zlib
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from gh_assets.archive.http import HttpArchive
from gh_assets.archive.source import (
    ArchiveError,
    RetryPolicy,
)
from gh_assets.compute.hour_transform import transform_hour
from gh_assets.tables.storage import Storage
from gh_assets_tests.gharchive_samples import REAL_HOUR, SAMPLES_DIR, install_sample, sample_lines
from gh_assets_tests.harnesses.archive_mirror import ArchiveMirror
from gh_assets_tests.oracles.gharchive_contract import commit_sort_key, push_sort_key
from gh_assets_tests.oracles.gharchive_reference import reference_rows
from gh_assets_tests.oracles.tables_read import assert_rows_match

NAME = "2015-01-01-1.json.gz"
LINES = sample_lines(REAL_HOUR)
PUSHES, COMMITS = (len(rows) for rows in reference_rows(LINES, NAME))  # as an independent reader


def push_parts(storage: Storage) -> dict[str, str]:
    return {"push_events": f"{storage.root}/p.parquet", "commits": f"{storage.root}/c.parquet"}


@pytest.fixture
def mirror(tmp_path):
    install_sample(REAL_HOUR, tmp_path / "mirror")
    with ArchiveMirror(tmp_path / "mirror", stall_seconds=3) as served:
        yield served


def fast_client(mirror: ArchiveMirror, skip_unreadable: bool = False) -> HttpArchive:
    retry = RetryPolicy(max_attempts=4, backoff_seconds=0.01)
    return HttpArchive(mirror.base_url, 1.0, retry, skip_unreadable)


def test_probe_reports_size_etag_and_missing_hours(mirror):
    files = fast_client(mirror).probe_day(dt.date(2015, 1, 1))
    present = [file for file in files if file.exists]
    assert [file.filename for file in present] == [NAME]
    assert present[0].size == (SAMPLES_DIR / REAL_HOUR).stat().st_size and present[0].etag
    assert all(file.status == 404 for file in files if not file.exists)


@pytest.mark.parametrize("fault", ["status_500", "status_503", "status_429"])
def test_a_probe_that_keeps_failing_fails_and_is_never_a_missing_hour(mirror, fault):
    """A 5xx or 429 for every attempt of a HEAD is an error of the archive: recording the hour as
    absent would build the day without it, for good."""
    client = fast_client(mirror)
    mirror.add_faults(NAME, *[fault] * client.retry.max_attempts, method="HEAD")
    with pytest.raises(ArchiveError, match=f"{NAME} failed after"):
        client.probe(NAME)
    assert client.probe(NAME).exists  # the fault gone, the file is there


@pytest.mark.parametrize("fault", ["status_500", "status_503", "status_429", "cut", "stall"])
def test_body_survives_transient_faults(mirror, fault, caplog):
    mirror.add_faults(NAME, fault, fault)
    with caplog.at_level(logging.WARNING), fast_client(mirror).open(NAME) as body:
        data = body.read()
    assert data == (SAMPLES_DIR / REAL_HOUR).read_bytes()
    assert mirror.faults_injected[fault] == 2
    assert any(NAME in record.getMessage() for record in caplog.records)


def test_persistent_server_errors_fail_with_the_url_and_cause(mirror):
    mirror.add_faults(NAME, *["status_503"] * 10)
    with pytest.raises(ArchiveError, match=rf"{NAME} failed after 4 attempts: HTTP 503"):
        fast_client(mirror).open(NAME)


def test_missing_file_is_none_not_an_error(mirror):
    assert fast_client(mirror).open("2015-01-01-2.json.gz") is None


def test_not_gzip_body_is_fetched_again(mirror, tmp_path):
    mirror.add_faults(NAME, "not_gzip")
    storage = Storage(str(tmp_path / "out"))
    summary = transform_hour(fast_client(mirror), storage, NAME, push_parts(storage))
    assert summary.attempts == 2 and summary.push_events == PUSHES
    assert pq.read_table(f"{storage.root}/c.parquet").num_rows == COMMITS


def test_body_that_stays_not_gzip_fails_the_hour_with_the_url(mirror, tmp_path):
    mirror.add_faults(NAME, *["not_gzip"] * 4)
    storage = Storage(str(tmp_path / "out"))
    with pytest.raises(ArchiveError, match=rf"{NAME} was not gzip after 4 attempts"):
        transform_hour(fast_client(mirror), storage, NAME, push_parts(storage))


def test_body_that_stays_not_gzip_is_skipped_and_said_when_asked(mirror, tmp_path):
    mirror.add_faults(NAME, *["not_gzip"] * 4)
    storage = Storage(str(tmp_path / "out"))
    summary = transform_hour(
        fast_client(mirror, skip_unreadable=True),
        storage,
        NAME,
        push_parts(storage),
    )
    assert summary.found and not summary.read and summary.damaged
    assert f"{NAME} was not gzip after 4 attempts" in summary.unreadable
    assert (summary.lines, summary.push_events, summary.attempts) == (0, 0, 4)


def transformed(mirror: ArchiveMirror, out: Path, name: str = NAME):
    """`transform_hour` of one file through the mirror: its summary, push rows, commit rows."""
    storage = Storage(str(out))
    parts = push_parts(storage)
    summary = transform_hour(fast_client(mirror), storage, name, parts)
    return summary, *(pq.read_table(parts[table]).to_pylist() for table in parts)


@pytest.mark.parametrize(
    ("fault", "honour_range", "resumed_status"),
    [("cut", True, 206), ("stall", True, 206), ("cut", False, 200)],
    ids=["cut", "stall", "cut-on-a-server-that-ignores-range"],
)
def test_a_read_resumed_mid_file_gives_the_rows_of_a_clean_read(
    mirror, tmp_path, fault, honour_range, resumed_status
):
    """The body breaks halfway: the read goes on from the byte it reached, asking for the rest
    (`Range`) or, where the server ignores it, skipping what it already had."""
    clean = transformed(mirror, tmp_path / "clean")
    mirror.honour_range = honour_range
    mirror.add_faults(NAME, fault)
    summary, pushes, commits = transformed(mirror, tmp_path / "resumed")
    assert (pushes, commits) == clean[1:]
    size = (SAMPLES_DIR / REAL_HOUR).stat().st_size
    read = ("lines", "push_events", "commits", "damaged", "compressed_bytes")
    assert [getattr(summary, name) for name in read] == [len(LINES), PUSHES, COMMITS, False, size]
    assert summary.read_retries == 1
    [resumed] = [request for request in mirror.requests if request.range]
    start = int(resumed.range.removeprefix("bytes=").removesuffix("-"))
    assert 0 < start < size and resumed.status == resumed_status


def test_a_resume_that_fails_is_retried_and_its_cause_reported(mirror):
    """The body breaks, then every request for the rest fails: the error names their cause."""
    mirror.add_faults(NAME, "cut", *["status_503"] * 3)
    with (
        pytest.raises(ArchiveError, match=rf"{NAME} could not be read .* attempts: HTTP 503$"),
        fast_client(mirror).open(NAME) as body,
    ):
        body.read()
    resumes = [request for request in mirror.requests if request.range]
    assert [request.status for request in resumes] == [503, 503, 503]


def test_a_file_gone_while_it_is_read_fails_at_once(mirror):
    mirror.add_faults(NAME, "cut")
    with fast_client(mirror).open(NAME) as body:
        (mirror.root / NAME).unlink()
        with pytest.raises(ArchiveError, match=f"{NAME} disappeared while it was being read"):
            body.read()
    assert [request.status for request in mirror.requests] == [200, 404]


def test_a_file_replaced_while_it_is_read_fails_rather_than_mixing_two_versions(mirror):
    """The resume's `If-Range` gets the whole new file: skipping into it would splice two."""
    mirror.add_faults(NAME, "cut")
    with fast_client(mirror).open(NAME) as body:
        (mirror.root / NAME).write_bytes((SAMPLES_DIR / REAL_HOUR).read_bytes()[::-1])
        with pytest.raises(ArchiveError, match=f"{NAME} changed while it was being read"):
            body.read()
    assert [request.status for request in mirror.requests] == [200, 200]


def cut_in_a_push_line(data: bytes, start: int) -> tuple[int, list[bytes]]:
    """The first cut of a gzip file from `start` on that breaks off inside a push line, at least
    256 bytes into it (so that every inflater agrees on the lines before it); and those lines,
    as zlib inflates them."""
    for cut in range(start, len(data), 101):
        inflated = zlib.decompressobj(wbits=31).decompress(data[:cut])
        complete, _, partial = inflated.rpartition(b"\n")
        if len(partial) >= 256 and b'"type":"PushEvent"' in partial:
            return cut, complete.split(b"\n")
    raise AssertionError("no cut inside a push line")


def test_truncated_file_keeps_its_complete_lines_and_is_marked_damaged(mirror, tmp_path):
    """Exactly the complete lines before the break are read; the broken push line is counted."""
    name = "2015-01-01-2.json.gz"
    data = (SAMPLES_DIR / REAL_HOUR).read_bytes()
    cut, complete = cut_in_a_push_line(data, len(data) // 2)
    (mirror.root / name).write_bytes(data[:cut])
    summary, pushes, commits = transformed(mirror, tmp_path, name)
    expected_pushes, expected_commits = reference_rows(complete, name)
    assert_rows_match(pushes, expected_pushes, push_sort_key)
    assert_rows_match(commits, expected_commits, commit_sort_key)
    assert summary.truncated == "gzip stream ended before its end marker"
    assert (summary.lines, summary.events) == (len(complete) + 1, len(complete))
    accounting = ("damaged_lines", "fragments_skipped", "objects_recovered", "duplicates_dropped")
    assert [getattr(summary, figure) for figure in accounting] == [1, 1, 0, 0]
    assert (summary.push_events, summary.commits) == (len(expected_pushes), len(expected_commits))
