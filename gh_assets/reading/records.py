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
from typing import BinaryIO, NamedTuple

import numpy as np
from isal import isal_zlib

BLOCK_SIZE = 1 << 20
READ_SIZE = 1 << 20
GZIP_WBITS = isal_zlib.MAX_WBITS | 16
GZIP_MAGIC = b"\x1f\x8b"
_LINE_BREAK = ord("\n")
_NUL_RUN = re.compile(rb"\n*\x00+\n*")
_decoder = json.JSONDecoder()


class NotGzipError(ValueError):
    """The body is not gzip at all (for example an XML error page served with status 200)."""


@dataclass
class StreamDamage:
    """What went wrong below the record level while reading one file."""

    nul_runs: int = 0
    truncated: str | None = None


def decompressed_chunks(compressed: BinaryIO, damage: StreamDamage) -> Iterator[bytes]:
    """Decompress a gzip stream of one or more members in bounded chunks.

    Output already produced survives a break: a stream that ends early or turns corrupt stops
    the chunks and `damage` says why; a body that does not start as gzip is an error.
    """
    decompressor = isal_zlib.decompressobj(GZIP_WBITS)
    member_open = False
    data = compressed.read(READ_SIZE)
    if data and not data.startswith(GZIP_MAGIC):
        raise NotGzipError(f"not a gzip stream: starts with {data[:16]!r}")
    while data:
        member_open = True
        try:
            chunk = decompressor.decompress(data, BLOCK_SIZE)
        except isal_zlib.error as exc:
            damage.truncated = f"corrupt gzip data: {exc}"
            return
        if chunk:
            yield chunk
        if decompressor.eof:
            data = decompressor.unused_data
            decompressor = isal_zlib.decompressobj(GZIP_WBITS)
            member_open = False
        else:
            data = decompressor.unconsumed_tail
        data = data or compressed.read(READ_SIZE)
    if member_open:
        damage.truncated = "gzip stream ended before its end marker"


class LineBlock(NamedTuple):
    """Whole lines held as `data[start:end]`, so that a decompressed chunk is never copied."""

    data: bytes
    start: int
    end: int

    def __bytes__(self) -> bytes:
        return self.data[self.start : self.end]


def line_blocks(compressed: BinaryIO, damage: StreamDamage) -> Iterator[LineBlock]:
    """Decompress and yield blocks of whole lines; NUL runs become line breaks.

    A line cut by a chunk boundary comes as a block of its own. After a break in the stream, every
    complete line before it is kept and the partial line after the last newline is yielded last.
    """
    rest = b""
    for chunk in decompressed_chunks(compressed, damage):
        if b"\x00" in chunk:
            damage.nul_runs += len(_NUL_RUN.findall(chunk))
            chunk = _NUL_RUN.sub(b"\n", chunk)
            if not rest:
                chunk = chunk.lstrip(b"\n")
        last = chunk.rfind(b"\n")
        if last < 0:
            rest += chunk
            continue
        start = 0
        if rest:
            start = chunk.find(b"\n") + 1
            joined = rest + chunk[:start]
            yield LineBlock(joined, 0, len(joined))
        if start <= last:
            yield LineBlock(chunk, start, last + 1)
        rest = chunk[last + 1 :]
    if rest:
        yield LineBlock(rest, 0, len(rest))


def count_records(block: LineBlock) -> int:
    """Lines in a block of lines (a NUL run and the line breaks around it make one break).

    numpy counts the line breaks twice as fast as `bytes.count`."""
    data, start, end = block
    breaks = np.count_nonzero(np.frombuffer(data, np.uint8, end - start, start) == _LINE_BREAK)
    return int(breaks) + (not data.endswith(b"\n", start, end))


SHORTEST_EVENT = 16  # bytes: a line shorter than this is checked for being blank


def count_blank_lines(block: LineBlock) -> int:
    """Lines in a block that hold nothing but whitespace: no event, and no damage either.

    Only the short lines are looked at; an event is longer."""
    data, start, end = block
    breaks = np.flatnonzero(np.frombuffer(data, np.uint8, end - start, start) == _LINE_BREAK)
    ends = breaks if data.endswith(b"\n", start, end) else np.append(breaks, end - start)
    starts = np.concatenate(([0], breaks + 1))[: len(ends)]
    short = np.flatnonzero(ends - starts < SHORTEST_EVENT)
    return sum(not data[start + starts[i] : start + ends[i]].strip() for i in short.tolist())


def block_lines(block: LineBlock) -> list[memoryview]:
    """The lines of a block without their line breaks, as views of it (nothing copied): as many
    as `count_records` counts, from one scan for the line breaks."""
    data, start, end = block
    view = memoryview(data)
    find = data.find
    lines = []
    append = lines.append
    while start < end:
        stop = find(b"\n", start, end)
        if stop < 0:
            stop = end
        append(view[start:stop])
        start = stop + 1
    return lines


def lines_containing(block: LineBlock, marker: bytes) -> Iterator[bytes]:
    """The whole lines of `block` that contain `marker`, each once, without parsing the others."""
    data, position, end = block
    find = data.find
    for hit in _places(block, marker):
        if hit < position:  # a line already yielded
            continue
        line_start = data.rfind(b"\n", position, hit) + 1 or position
        line_end = find(b"\n", hit, end)
        if line_end < 0:
            line_end = end
        yield data[line_start:line_end]
        position = line_end + 1


def _places(block: LineBlock, marker: bytes) -> list[int]:
    """Every place in `block` where `marker` (two bytes or more) starts, in order.

    numpy compares the whole block with the marker's second byte (rarer than the quote that
    starts ours) and those candidates with its other bytes: twice as fast as `bytes.find` from
    place to place, whose search is about 1.6 GB/s on JSON.
    """
    data, start, end = block
    text = np.frombuffer(data, np.uint8, end - start, start)
    last = len(text) - len(marker)
    if last < 0:
        return []
    places = np.flatnonzero(text[1 : last + 2] == marker[1])
    for offset, byte in enumerate(marker):
        if offset != 1:
            places = places[text[places + offset] == byte]
    return (places + start).tolist()


def is_event(value: object) -> bool:
    """Whether a decoded value looks like a GH Archive event (of any era)."""
    return (
        isinstance(value, dict)
        and isinstance(value.get("type"), str)
        and value["type"].endswith("Event")
        and "created_at" in value
    )


def recover_events(line: bytes) -> tuple[list[dict], int]:
    """Every complete event object in a damaged line, and the number of unreadable fragments."""
    found, fragments = recover_event_texts(line.decode("utf-8", "replace"))
    return [event for event, _ in found], fragments


def recover_event_texts(text: str) -> tuple[list[tuple[dict, str]], int]:
    """Every complete event object in `text` with its own JSON text, and the unreadable fragments.

    Candidates start at each `{"`; the first one that decodes to an event wins and the scan goes on
    after it. Text between (or around) recovered events counts as one skipped fragment per gap.
    """
    events: list[tuple[dict, str]] = []
    fragments = 0
    gap_start = position = 0
    while (start := text.find('{"', position)) >= 0:
        try:
            value, end = _decoder.raw_decode(text, start)
        except (ValueError, RecursionError):
            position = start + 1
            continue
        if is_event(value):
            fragments += bool(text[gap_start:start].strip())
            events.append((value, text[start:end]))
            gap_start = position = end
        else:
            position = start + 1
    fragments += bool(text[gap_start:].strip())
    return events, fragments
