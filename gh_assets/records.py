"""From a gzip stream to JSON records, keeping everything that damage leaves readable.

Real hours contain runs of NUL bytes in place of records, objects glued together without a newline,
records cut mid-string with the next one glued on, truncated last records, and gzip streams that
break off. Blocks of complete lines come out of `line_blocks`; `recover_events` finds every complete
event object in a line that is not one JSON object.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from isal import igzip, isal_zlib

BLOCK_SIZE = 4 << 20
_NUL_RUN = re.compile(rb"\x00+")
_decoder = json.JSONDecoder()


class NotGzipError(ValueError):
    """The body is not gzip at all (for example an XML error page served with status 200)."""


@dataclass
class StreamDamage:
    """What went wrong below the record level while reading one file."""

    nul_runs: int = 0
    truncated: str | None = None


def line_blocks(compressed: BinaryIO, damage: StreamDamage) -> Iterator[bytes]:
    """Decompress and yield blocks of whole lines; NUL runs become line breaks.

    A stream that breaks off (truncated or corrupt gzip) ends the blocks: every complete line
    before the break is kept, the partial line after it is yielded last, and `damage` says why.
    """
    reader = igzip.GzipFile(fileobj=compressed, mode="rb")
    rest = b""
    started = False
    while True:
        try:
            chunk = reader.read(BLOCK_SIZE)
        except (EOFError, OSError, isal_zlib.error) as exc:
            if not started and isinstance(exc, OSError):
                raise NotGzipError(f"not a gzip stream: {exc}") from exc
            damage.truncated = f"{type(exc).__name__}: {exc}"
            break
        if not chunk:
            break
        started = True
        if b"\x00" in chunk:
            damage.nul_runs += len(_NUL_RUN.findall(chunk))
            chunk = _NUL_RUN.sub(b"\n", chunk)
        block = rest + chunk
        cut = block.rfind(b"\n") + 1
        rest = block[cut:]
        if cut:
            yield block[:cut]
    if rest:
        yield rest


def count_records(block: bytes) -> int:
    """Non-blank lines in a block of lines."""
    lines = block.count(b"\n") + (not block.endswith(b"\n"))
    if b"\n\n" in block or block.startswith(b"\n"):
        return sum(1 for line in block.split(b"\n") if line.strip())
    return lines


def lines_containing(block: bytes, marker: bytes) -> Iterator[bytes]:
    """The whole lines of `block` that contain `marker`, each once, without parsing the others."""
    find = block.find
    position = 0
    while (hit := find(marker, position)) >= 0:
        start = block.rfind(b"\n", 0, hit) + 1
        end = find(b"\n", hit)
        if end < 0:
            end = len(block)
        yield block[start:end]
        position = end + 1


def is_event(value: object) -> bool:
    """Whether a decoded value looks like a GH Archive event (of any era)."""
    return (
        isinstance(value, dict)
        and isinstance(value.get("type"), str)
        and value["type"].endswith("Event")
        and "created_at" in value
    )


def recover_events(line: bytes) -> tuple[list[dict], int]:
    """Every complete event object in a damaged line, and the number of unreadable fragments.

    Candidates start at each `{"`; the first one that decodes to an event wins and the scan goes on
    after it. Text between (or around) recovered events counts as one skipped fragment per gap.
    """
    text = line.decode("utf-8", "replace")
    events: list[dict] = []
    fragments = 0
    gap_start = position = 0
    while (start := text.find('{"', position)) >= 0:
        try:
            value, end = _decoder.raw_decode(text, start)
        except ValueError:
            position = start + 1
            continue
        if is_event(value):
            fragments += bool(text[gap_start:start].strip())
            events.append(value)
            gap_start = position = end
        else:
            position = start + 1
    fragments += bool(text[gap_start:].strip())
    return events, fragments
