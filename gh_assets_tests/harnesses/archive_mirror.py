"""A real HTTP server on loopback that serves a folder the way the GH Archive does, with faults.

Run as a process: `python -m gh_assets_tests.harnesses.archive_mirror --root DIR --port 0` prints
the base URL on the first line of stdout and serves until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import random
import re
import signal
import socket
import sys
import threading
from collections import Counter, deque
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from gh_assets_tests.harnesses.loopback_server import LoopbackServer

FAULT_KINDS = ("status_500", "status_503", "status_429", "cut", "stall", "not_gzip")
_ERROR_CODES = {500: "InternalError", 503: "SlowDown", 429: "TooManyRequests"}
_RANGE = re.compile(r"bytes=(\d+)-(\d*)$")


def error_xml(code: str, message: str, key: str) -> bytes:
    """An S3-style XML error body, as the archive sends."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Error>'
        f"<Code>{code}</Code><Message>{message}</Message><Key>{key}</Key></Error>"
    ).encode()


def no_such_key(key: str) -> bytes:
    """The archive's body for a missing file."""
    return error_xml("NoSuchKey", "The specified key does not exist.", key)


@dataclass(frozen=True)
class RequestRecord:
    """One request as the mirror answered it."""

    method: str
    path: str
    status: int
    fault: str | None
    range: str | None


@dataclass(frozen=True)
class _Response:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str]
    length: int | None = None  # a HEAD's, whose body is not read

    @property
    def content_length(self) -> int:
        return len(self.body) if self.length is None else self.length


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go in separate writes
    timeout = 60
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.owner._connections.add(self.connection)

    def finish(self) -> None:
        self.server.owner._connections.discard(self.connection)
        super().finish()

    def do_GET(self) -> None:
        self.server.owner._serve(self)

    def do_HEAD(self) -> None:
        self.server.owner._serve(self)

    def log_message(self, format: str, *args: object) -> None:
        """Silence the default stderr access log; the mirror keeps its own."""


class _Server(ThreadingHTTPServer):
    request_queue_size = 128
    owner: ArchiveMirror

    def handle_error(self, request, client_address) -> None:
        """A client that hangs up (after a stall or a cut) is expected here, not an error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class ArchiveMirror(LoopbackServer):
    """Serves `root` on 127.0.0.1 (GET, HEAD, `Range: bytes=N-` with `If-Range: ETAG`), injecting
    programmed faults.

    With `honour_range=False` it is a server that ignores `Range`: every GET of a file is a 200
    with the whole body, as some proxies and servers answer.

    Faults apply to GET only unless queued with method="HEAD"; a queued fault wins over the
    random mode. `stall` sends headers and half the body, waits `stall_seconds`, then the rest.
    `cut` sends headers and half the body, then closes. `not_gzip` answers 200 with the
    NoSuchKey XML as body (content type still application/gzip).
    """

    def __init__(
        self,
        root: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        stall_seconds: float = 30.0,
        honour_range: bool = True,
    ) -> None:
        super().__init__(host, port)
        self.root = Path(root).resolve()
        self.stall_seconds = stall_seconds
        self.honour_range = honour_range
        self._lock = threading.Lock()
        self._queues: dict[tuple[str, str], deque[str]] = {}
        self._random: random.Random | None = None
        self._random_p = 0.0
        self._random_kinds: tuple[str, ...] = FAULT_KINDS
        self._log: list[RequestRecord] = []
        self._injected: Counter[str] = Counter()
        self._connections: set[socket.socket] = set()
        self._etags: dict[tuple, str] = {}  # by file version: a HEAD reads no body
        self._stopping = threading.Event()

    handler = _Handler
    server_class = _Server

    def stop(self) -> None:
        """Stop serving, end stalls early and drop open connections."""
        if not self.running:
            return
        self._stopping.set()
        super().stop()
        for connection in list(self._connections):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def url(self, name: str) -> str:
        """The URL of one file name under the base URL."""
        return f"{self.base_url}/{name}"

    # faults and log

    def add_faults(self, name: str, *kinds: str, method: str = "GET") -> None:
        """Queue faults for a file name, consumed one per request in order; then serve normally."""
        unknown = set(kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}")
        with self._lock:
            self._queues.setdefault((method, name), deque()).extend(kinds)

    def random_faults(self, p: float, seed: int, kinds: tuple[str, ...] = FAULT_KINDS) -> None:
        """Fault each GET with probability p, the kind drawn from `kinds`; p=0 turns it off."""
        with self._lock:
            self._random = random.Random(seed) if p > 0 else None
            self._random_p = p
            self._random_kinds = kinds

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request answered so far, in the order answered."""
        with self._lock:
            return list(self._log)

    def files_sent(self, since: int = 0) -> list[str]:
        """The files sent whole (a GET answered 200) from request number `since` on, sorted."""
        return sorted(
            r.path for r in self.requests[since:] if r.method == "GET" and r.status == 200
        )

    def days_asked(self, since: int = 0) -> set[str]:
        """The days (YYYY-MM-DD) whose hour files were asked for (GET, whatever the answer)
        from request number `since` on."""
        return {r.path[:10] for r in self.requests[since:] if r.method == "GET"}

    @property
    def faults_injected(self) -> Counter[str]:
        """How many faults of each kind were injected."""
        with self._lock:
            return Counter(self._injected)

    def _take_fault(self, method: str, name: str) -> str | None:
        with self._lock:
            queue = self._queues.get((method, name))
            if queue:
                fault = queue.popleft()
            elif method == "GET" and self._random and self._random.random() < self._random_p:
                fault = self._random.choice(self._random_kinds)
            else:
                return None
            self._injected[fault] += 1
            return fault

    # serving

    def _serve(self, handler: _Handler) -> None:
        method = handler.command
        name = unquote(urlsplit(handler.path).path).lstrip("/")
        requested_range = handler.headers.get("Range")
        fault = self._take_fault(method, name)
        response = self._response(
            name, fault, requested_range, handler.headers.get("If-Range"), method == "HEAD"
        )
        with self._lock:
            self._log.append(RequestRecord(method, name, response.status, fault, requested_range))
        handler.send_response(response.status)
        handler.send_header("Content-Type", response.content_type)
        handler.send_header("Content-Length", str(response.content_length))
        for key, value in response.headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        if method == "HEAD":
            return
        try:
            self._write_body(handler, response.body, fault)
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True

    def _response(
        self,
        name: str,
        fault: str | None,
        requested_range: str | None,
        if_range: str | None,
        head: bool = False,
    ) -> _Response:
        if fault and fault.startswith("status_"):
            status = int(fault.removeprefix("status_"))
            body = error_xml(_ERROR_CODES[status], "Injected fault.", name)
            return _Response(status, body, "application/xml", {"Retry-After": "0"})
        if fault == "not_gzip":
            return _Response(200, no_such_key(name), "application/gzip", {})
        path = self._resolve(name)
        if path is None:
            return _Response(404, no_such_key(name), "application/xml", {})
        stat = path.stat()
        version = (path, stat.st_ino, stat.st_mtime_ns, stat.st_size)
        data = b"" if head and version in self._etags else path.read_bytes()
        if version not in self._etags:
            self._etags[version] = f'"{hashlib.md5(data).hexdigest()}"'
        headers = {
            "ETag": self._etags[version],
            "Last-Modified": formatdate(stat.st_mtime, usegmt=True),
        }
        content_type = "application/gzip" if name.endswith(".gz") else "application/octet-stream"
        if head:  # what a GET would answer, without its body
            if self.honour_range:
                headers["Accept-Ranges"] = "bytes"
            return _Response(200, b"", content_type, headers, length=stat.st_size)
        if not self.honour_range:
            return _Response(200, data, content_type, headers)
        headers["Accept-Ranges"] = "bytes"
        if requested_range is None or if_range not in (None, headers["ETag"]):
            return _Response(200, data, content_type, headers)  # If-Range: another version
        match = _RANGE.match(requested_range.strip())
        start = int(match[1]) if match else len(data)
        end = min(int(match[2]), len(data) - 1) if match and match[2] else len(data) - 1
        if start >= len(data) or start > end:
            headers["Content-Range"] = f"bytes */{len(data)}"
            return _Response(416, b"", "application/xml", headers)
        headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
        return _Response(206, data[start : end + 1], content_type, headers)

    def _resolve(self, name: str) -> Path | None:
        path = (self.root / name).resolve()
        return path if path.is_relative_to(self.root) and path.is_file() else None

    def _write_body(self, handler: _Handler, body: bytes, fault: str | None) -> None:
        half = len(body) // 2
        if fault == "cut":
            handler.wfile.write(body[:half])
            handler.close_connection = True
        elif fault == "stall":
            handler.wfile.write(body[:half])
            self._stopping.wait(self.stall_seconds)
            handler.wfile.write(body[half:])
            handler.close_connection = True
        else:
            handler.wfile.write(body)


def _parse_fault(text: str) -> tuple[str, list[str]]:
    name, _, kinds = text.partition("=")
    return name, kinds.split(",")


def main(argv: list[str] | None = None) -> None:
    """Serve a folder until SIGTERM/SIGINT, printing the base URL first."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--stall-seconds", type=float, default=30.0)
    parser.add_argument(
        "--fault", action="append", default=[], type=_parse_fault, help="NAME=KIND[,KIND...]"
    )
    parser.add_argument("--random-p", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    mirror = ArchiveMirror(
        args.root, host=args.host, port=args.port, stall_seconds=args.stall_seconds
    )
    for name, kinds in args.fault:
        mirror.add_faults(name, *kinds)
    mirror.random_faults(args.random_p, args.seed)
    done = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: done.set())
    with mirror:
        print(mirror.base_url, flush=True)
        while not done.wait(0.5):
            pass


if __name__ == "__main__":
    main()
