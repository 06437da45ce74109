"""The archive client against a real HTTP server on loopback that injects faults."""

import datetime as dt
import gzip
import logging

import pyarrow.parquet as pq
import pytest

from gh_assets.archive.http import HttpArchive
from gh_assets.archive.source import (
    ArchiveError,
    RetryPolicy,
)
from gh_assets.compute.hour_transform import transform_hour
from gh_assets.tables.storage import Storage
from gh_assets_tests.gharchive_samples import REAL_HOUR, SAMPLES_DIR, install_sample
from gh_assets_tests.harnesses.archive_mirror import ArchiveMirror

NAME = "2015-01-01-1.json.gz"


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
    summary = transform_hour(
        fast_client(mirror), storage, NAME, f"{storage.root}/p.parquet", f"{storage.root}/c.parquet"
    )
    assert summary.attempts == 2 and summary.push_events == 4150
    assert pq.read_table(f"{storage.root}/c.parquet").num_rows == 7642


def test_body_that_stays_not_gzip_fails_the_hour_with_the_url(mirror, tmp_path):
    mirror.add_faults(NAME, *["not_gzip"] * 4)
    storage = Storage(str(tmp_path / "out"))
    with pytest.raises(ArchiveError, match=rf"{NAME} was not gzip after 4 attempts"):
        transform_hour(fast_client(mirror), storage, NAME, f"{storage.root}/p", f"{storage.root}/c")


def test_body_that_stays_not_gzip_is_skipped_and_said_when_asked(mirror, tmp_path):
    mirror.add_faults(NAME, *["not_gzip"] * 4)
    storage = Storage(str(tmp_path / "out"))
    summary = transform_hour(
        fast_client(mirror, skip_unreadable=True),
        storage,
        NAME,
        f"{storage.root}/p",
        f"{storage.root}/c",
    )
    assert summary.found and not summary.read and summary.damaged
    assert f"{NAME} was not gzip after 4 attempts" in summary.unreadable
    assert (summary.lines, summary.push_events, summary.attempts) == (0, 0, 4)


def test_truncated_file_keeps_its_complete_lines_and_is_marked_damaged(mirror, tmp_path):
    data = (SAMPLES_DIR / REAL_HOUR).read_bytes()
    (mirror.root / "2015-01-01-2.json.gz").write_bytes(data[: len(data) // 2])
    lines_in_whole_file = gzip.decompress(data).count(b"\n")
    storage = Storage(str(tmp_path / "out"))
    summary = transform_hour(
        fast_client(mirror),
        storage,
        "2015-01-01-2.json.gz",
        f"{storage.root}/p.parquet",
        f"{storage.root}/c.parquet",
    )
    assert summary.damaged and summary.truncated
    assert 0 < summary.lines < lines_in_whole_file
    assert 0 < summary.push_events < 4150
