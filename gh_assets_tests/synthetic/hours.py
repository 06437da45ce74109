"""An hour file of generated records: its lines, its bytes as served, what a reader gets back."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from gh_assets_tests.harnesses.archive_mirror import no_such_key
from gh_assets_tests.synthetic.shapes import encode, render
from gh_assets_tests.synthetic.truth import Record


@dataclass
class Line:
    """One physical line of an hour file and what a careful reader can get out of it."""

    data: bytes
    kept: tuple[int, ...]
    fragments: int = 0
    nul_run: bool = False

    @property
    def damaged(self) -> bool:
        return self.fragments > 0 or len(self.kept) != 1


@dataclass
class FakeHour:
    """The records of one hour file and the damage done to its bytes (see damage.py)."""

    source_file: str
    records: list[Record]
    lines: list[Line] = field(default_factory=list)
    newline_at_end: bool = True
    gzip_cut: int | None = None
    not_gzip: bool = False

    def __post_init__(self) -> None:
        if not self.lines:
            self.lines = [Line(encode(render(r)), (i,)) for i, r in enumerate(self.records)]

    def raw(self) -> bytes:
        """The uncompressed file content."""
        end = b"\n" if self.newline_at_end else b""
        return b"\n".join(line.data for line in self.lines) + end

    def compressed(self) -> bytes:
        """The whole file gzipped, before any cut."""
        return gzip.compress(self.raw(), compresslevel=9, mtime=0)

    def body(self) -> bytes:
        """The bytes the archive serves for this hour."""
        if self.not_gzip:
            return no_such_key(self.source_file)
        return self.compressed()[: self.gzip_cut]

    def surviving_lines(self) -> tuple[list[Line], int]:
        """The complete lines a reader gets, and 1 if a partial line follows a gzip break."""
        if self.not_gzip:
            return [], 0
        if self.gzip_cut is None:
            return self.lines, 0
        complete = inflate(self.body()).count(b"\n")
        return self.lines[:complete], 1


def inflate(gzip_prefix: bytes) -> bytes:
    """Whatever zlib gets out of the start of a gzip stream."""
    return zlib.decompressobj(wbits=31).decompress(gzip_prefix)


def write_hour(root: Path, source_file: str, lines: Iterable[bytes]) -> Path:
    """Gzip hand-written lines as one hour file."""
    path = root / source_file
    path.write_bytes(gzip.compress(b"".join(line + b"\n" for line in lines), 9, mtime=0))
    return path
