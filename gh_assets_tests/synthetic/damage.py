"""The archive's kinds of damage, done to a generated hour, each as seen in a real file.

Every function changes the hour's lines (or its served bytes) and records, line by line, which
records a careful reader can still recover and how many undecodable fragments it meets.
"""

from __future__ import annotations

import re

from gh_assets_tests.synthetic.hours import FakeHour, Line, inflate

_REPO_KEY = re.compile(rb'"repo(?:sitory)?":')
_MIN_TAIL = 256  # bytes of a cut line left after a gzip break, so every inflater agrees on it


def nul_run(hour: FakeHour, record: int) -> None:
    """Replace a record by a run of NUL bytes (2018-06-08-2)."""
    at = _line_of(hour, record)
    hour.lines[at] = Line(b"\0" * len(hour.lines[at].data), (), nul_run=True)


def cut_and_glue(hour: FakeHour, record: int) -> None:
    """Cut a record mid-string and glue the next line on (2017-11-08-1): the next survives.

    The cut falls in the first string after the record's `"type"`, so the type stays visible.
    """
    at = _line_of(hour, record)
    following = hour.lines[at + 1]
    if following.damaged:
        raise ValueError("the glued-on line must be an intact record")
    data = hour.lines[at].data
    cut = data[: data.index(b'":"', _type_end(data)) + len(b'":"') + 3]
    hour.lines[at : at + 2] = [Line(cut + following.data, following.kept, 1)]


def truncate_last(hour: FakeHour) -> None:
    """End the file in its last record, after its type, as in `"repo":nul` (2020-10-30-17)."""
    *_, last = hour.lines
    if last.damaged:
        raise ValueError("the last line must be an intact record")
    key = _REPO_KEY.search(last.data, _type_end(last.data))
    hour.lines[-1] = Line(last.data[: key.end()] + b"nul", (), 1)
    hour.newline_at_end = False


def glue(hour: FakeHour, record: int, count: int = 2) -> None:
    """Join `count` records with no newline between them (`}{`, 2011-2012 files)."""
    at = _line_of(hour, record)
    group = hour.lines[at : at + count]
    if len(group) < count or any(line.damaged for line in group):
        raise ValueError("glue needs intact records")
    kept = tuple(i for line in group for i in line.kept)
    hour.lines[at : at + count] = [Line(b"".join(line.data for line in group), kept)]


def truncate_gzip(hour: FakeHour, record: int) -> None:
    """Break the gzip stream inside a record's line, after its `"type"` member.

    The partial line keeps at least _MIN_TAIL bytes so that every inflater gives the same
    complete lines; a reader must keep the lines before it.
    """
    at = _line_of(hour, record)
    data = hour.lines[at].data
    start = sum(len(line.data) + 1 for line in hour.lines[:at])
    keep = max(_MIN_TAIL, _type_end(data) + 64)
    if keep >= len(data):
        raise ValueError(f"record {record} is too short to cut after its type")
    compressed = hour.compressed()
    low, high = 0, len(compressed)
    while low < high:  # the shortest prefix that inflates past start + keep
        middle = (low + high) // 2
        if len(inflate(compressed[:middle])) >= start + keep:
            high = middle
        else:
            low = middle + 1
    if len(inflate(compressed[:low])) >= start + len(data):
        raise ValueError(f"no gzip break inside record {record}")
    hour.gzip_cut = low


def make_not_gzip(hour: FakeHour) -> None:
    """Serve the NoSuchKey XML with status 200 instead of gzip."""
    hour.not_gzip = True


def _line_of(hour: FakeHour, record: int) -> int:
    for at, line in enumerate(hour.lines):
        if line.kept == (record,) and not line.damaged:
            return at
    raise ValueError(f"record {record} is not an intact line")


def _type_end(data: bytes) -> int:
    """The offset just after a record's `"type":"..."` member."""
    return data.index(b'"', data.index(b'"type":"') + len(b'"type":"')) + 1
