"""The loopback archive mirror serves files, answers like the archive, and injects faults."""

from __future__ import annotations

import gzip
import hashlib
import http.client
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from gh_assets_tests.harnesses.archive_mirror import FAULT_KINDS, ArchiveMirror, no_such_key

NAME = "2015-01-01-1.json.gz"
BODY = gzip.compress(b"".join(b'{"id":"%d","type":"WatchEvent"}\n' % i for i in range(5000)))


@pytest.fixture
def archive_root(tmp_path: Path) -> Path:
    (tmp_path / NAME).write_bytes(BODY)
    return tmp_path


@pytest.fixture
def mirror(archive_root: Path):
    with ArchiveMirror(archive_root, stall_seconds=3) as running:
        yield running


def raw_get(mirror: ArchiveMirror, name: str) -> tuple[http.client.HTTPResponse, bytes]:
    """GET with http.client, returning the response and whatever body bytes arrived."""
    parts = urlsplit(mirror.base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    connection.request("GET", f"/{name}")
    response = connection.getresponse()
    try:
        body = response.read()
    except http.client.IncompleteRead as error:
        body = error.partial
    connection.close()
    return response, body


def test_get_serves_file_with_archive_headers(mirror: ArchiveMirror) -> None:
    response = requests.get(mirror.url(NAME), timeout=5)
    assert response.status_code == 200
    assert response.content == BODY
    assert response.headers["Content-Length"] == str(len(BODY))
    assert response.headers["ETag"] == f'"{hashlib.md5(BODY).hexdigest()}"'
    assert response.headers["Last-Modified"].endswith("GMT")
    assert response.headers["Content-Type"] == "application/gzip"
    assert mirror.base_url.startswith("http://127.0.0.1:")


def test_head_gives_same_headers_without_body(mirror: ArchiveMirror) -> None:
    head = requests.head(mirror.url(NAME), timeout=5)
    get = requests.get(mirror.url(NAME), timeout=5)
    assert head.status_code == 200
    assert head.content == b""
    for key in ("Content-Length", "ETag", "Last-Modified"):
        assert head.headers[key] == get.headers[key]


def test_range_request_resumes_from_offset(mirror: ArchiveMirror) -> None:
    response = requests.get(mirror.url(NAME), headers={"Range": "bytes=1000-"}, timeout=5)
    assert response.status_code == 206
    assert response.content == BODY[1000:]
    assert response.headers["Content-Range"] == f"bytes 1000-{len(BODY) - 1}/{len(BODY)}"
    beyond = requests.get(mirror.url(NAME), headers={"Range": f"bytes={len(BODY)}-"}, timeout=5)
    assert beyond.status_code == 416


def test_a_mirror_that_ignores_range_answers_with_the_whole_body(mirror: ArchiveMirror) -> None:
    mirror.honour_range = False
    response = requests.get(mirror.url(NAME), headers={"Range": "bytes=1000-"}, timeout=5)
    assert (response.status_code, response.content) == (200, BODY)
    assert "Content-Range" not in response.headers and "Accept-Ranges" not in response.headers
    assert mirror.requests[-1].range == "bytes=1000-"


def test_missing_file_is_404_with_archive_xml(mirror: ArchiveMirror) -> None:
    response = requests.get(mirror.url("2016-01-28-1.json.gz"), timeout=5)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/xml"
    assert response.content == (
        b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code>'
        b"<Message>The specified key does not exist.</Message>"
        b"<Key>2016-01-28-1.json.gz</Key></Error>"
    )
    assert requests.get(mirror.url("../etc/passwd"), timeout=5).status_code == 404


def test_status_faults_are_consumed_in_order(mirror: ArchiveMirror) -> None:
    mirror.add_faults(NAME, "status_503", "status_429", "status_500")
    responses = [requests.get(mirror.url(NAME), timeout=5) for _ in range(4)]
    assert [r.status_code for r in responses] == [503, 429, 500, 200]
    assert responses[1].headers["Retry-After"] == "0"
    assert responses[3].content == BODY
    assert [(r.status, r.fault) for r in mirror.requests] == [
        (503, "status_503"),
        (429, "status_429"),
        (500, "status_500"),
        (200, None),
    ]
    assert requests.head(mirror.url(NAME), timeout=5).status_code == 200


def test_head_faults_are_queued_separately(mirror: ArchiveMirror) -> None:
    mirror.add_faults(NAME, "status_503", method="HEAD")
    assert requests.get(mirror.url(NAME), timeout=5).status_code == 200
    assert requests.head(mirror.url(NAME), timeout=5).status_code == 503
    assert requests.head(mirror.url(NAME), timeout=5).status_code == 200


def test_cut_sends_full_length_then_part_of_body(mirror: ArchiveMirror) -> None:
    mirror.add_faults(NAME, "cut")
    response, body = raw_get(mirror, NAME)
    assert response.status == 200
    assert int(response.headers["Content-Length"]) == len(BODY)
    assert 0 < len(body) < len(BODY)
    assert BODY.startswith(body)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        mirror.add_faults(NAME, "cut")
        requests.get(mirror.url(NAME), timeout=5)


def test_stall_outlasts_client_timeout_then_recovers(mirror: ArchiveMirror) -> None:
    mirror.add_faults(NAME, "stall")
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(mirror.url(NAME), timeout=0.5)
    assert time.monotonic() - started < 2.5
    assert requests.get(mirror.url(NAME), timeout=5).content == BODY
    assert mirror.requests[0].fault == "stall"


def test_stop_ends_a_stall_promptly(archive_root: Path) -> None:
    mirror = ArchiveMirror(archive_root, stall_seconds=60).start()
    mirror.add_faults(NAME, "stall")
    client = threading.Thread(target=raw_get, args=(mirror, NAME), daemon=True)
    client.start()
    while not mirror.requests:
        time.sleep(0.01)
    started = time.monotonic()
    mirror.stop()
    assert time.monotonic() - started < 5


def test_not_gzip_answers_200_with_xml(mirror: ArchiveMirror) -> None:
    mirror.add_faults(NAME, "not_gzip")
    response = requests.get(mirror.url(NAME), timeout=5)
    assert response.status_code == 200
    assert response.content == no_such_key(NAME)
    with pytest.raises(gzip.BadGzipFile):
        gzip.decompress(response.content)


def test_unknown_fault_kind_is_refused(mirror: ArchiveMirror) -> None:
    with pytest.raises(ValueError):
        mirror.add_faults(NAME, "explode")


def fetch_with_retries(mirror: ArchiveMirror, session: requests.Session) -> tuple[bytes, int]:
    """Fetch NAME until a gzip body of full length arrives; return it and the attempts used."""
    for attempt in range(1, 100):
        try:
            response = session.get(mirror.url(NAME), timeout=0.3)
            if response.status_code == 200 and response.content[:2] == b"\x1f\x8b":
                return response.content, attempt
        except requests.exceptions.RequestException:
            pass
    raise AssertionError("never fetched")


def test_random_faults_soak(mirror: ArchiveMirror) -> None:
    mirror.stall_seconds = 1
    mirror.random_faults(p=0.4, seed=7)
    with requests.Session() as session:
        results = [fetch_with_retries(mirror, session) for _ in range(60)]
    assert all(body == BODY for body, _ in results)
    log = mirror.requests
    injected = mirror.faults_injected
    assert injected == Counter(r.fault for r in log if r.fault)
    assert set(injected) == set(FAULT_KINDS)
    assert sum(attempts for _, attempts in results) == len(log)
    assert 0.25 < sum(injected.values()) / len(log) < 0.55


def test_random_faults_are_reproducible_from_seed(archive_root: Path) -> None:
    def fault_sequence() -> list[str | None]:
        with ArchiveMirror(archive_root) as mirror:
            mirror.random_faults(p=0.5, seed=3, kinds=("status_500", "status_503", "not_gzip"))
            for _ in range(30):
                requests.get(mirror.url(NAME), timeout=5)
            return [r.fault for r in mirror.requests]

    first = fault_sequence()
    assert first == fault_sequence()
    assert any(first) and not all(first)


def test_concurrent_requests_are_all_logged(mirror: ArchiveMirror) -> None:
    bodies: list[bytes] = []

    def fetch() -> None:
        bodies.append(requests.get(mirror.url(NAME), timeout=5).content)

    threads = [threading.Thread(target=fetch) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert bodies == [BODY] * 16
    assert len(mirror.requests) == 16


def test_runs_as_a_subprocess(archive_root: Path) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gh_assets_tests.harnesses.archive_mirror",
            "--root",
            str(archive_root),
        ]
        + ["--port", "0", "--fault", f"{NAME}=status_503"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    try:
        base_url = process.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:")
        assert requests.get(f"{base_url}/{NAME}", timeout=5).status_code == 503
        assert requests.get(f"{base_url}/{NAME}", timeout=5).content == BODY
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
