import gzip
import io
import json
import zlib

import pytest

from gh_assets.reading.records import (
    LineBlock,
    NotGzipError,
    StreamDamage,
    block_lines,
    count_records,
    line_blocks,
    lines_containing,
    recover_events,
)

PUSH_A = {
    "id": "1",
    "type": "PushEvent",
    "payload": {"ref": "a"},
    "created_at": "2015-01-01T00:00:00Z",
}
PUSH_B = {
    "id": "2",
    "type": "PushEvent",
    "payload": {"ref": "b"},
    "created_at": "2015-01-01T00:00:01Z",
}


def encoded(event: dict) -> bytes:
    return json.dumps(event, separators=(",", ":")).encode()


def read_all(data: bytes) -> tuple[bytes, StreamDamage]:
    damage = StreamDamage()
    return b"".join(bytes(block) for block in line_blocks(io.BytesIO(data), damage)), damage


def whole(data: bytes) -> LineBlock:
    return LineBlock(data, 0, len(data))


def test_line_blocks_round_trip_multi_member_gzip():
    lines = [encoded({"n": index}) for index in range(20_000)]
    text = b"\n".join(lines) + b"\n"
    data = gzip.compress(text[:100_000]) + gzip.compress(text[100_000:])
    blocks, damage = read_all(data)
    assert blocks == text
    assert damage == StreamDamage()


def test_nul_runs_separate_records():
    text = encoded(PUSH_A) + b"\x00" * 5000 + encoded(PUSH_B) + b"\n\x00\x00\n"
    blocks, damage = read_all(gzip.compress(text))
    assert damage.nul_runs == 2
    assert count_records(whole(blocks)) == 2
    assert [json.loads(line) for line in lines_containing(whole(blocks), b'"PushEvent"')] == [
        PUSH_A,
        PUSH_B,
    ]


def test_truncated_gzip_keeps_complete_lines_and_reports():
    text = b"".join(encoded({"id": str(n), "pad": "x" * 200}) + b"\n" for n in range(5000))
    compressed = gzip.compress(text, mtime=0)
    truncated = compressed[: len(compressed) // 2]
    blocks, damage = read_all(truncated)
    assert damage.truncated == "gzip stream ended before its end marker"
    inflated = zlib.decompressobj(wbits=31).decompress(truncated)  # an independent inflater
    complete = inflated[: inflated.rfind(b"\n") + 1]
    assert complete and text.startswith(complete)
    assert blocks.startswith(complete) and b"\n" not in blocks[len(complete) :]
    assert count_records(whole(blocks)) == complete.count(b"\n") + 1  # and the partial line


def test_not_gzip_body_is_an_error_not_an_empty_hour():
    body = b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code></Error>'
    with pytest.raises(NotGzipError):
        read_all(body)


def test_empty_file_is_empty():
    assert read_all(gzip.compress(b"")) == (b"", StreamDamage())


def test_lines_containing_yields_each_whole_line_once():
    block = b'{"a":1}\n{"type":"PushEvent","x":"PushEvent"}\n{"b":2}\n{"type": "PushEvent"}'
    assert list(lines_containing(whole(block), b"PushEvent")) == [
        b'{"type":"PushEvent","x":"PushEvent"}',
        b'{"type": "PushEvent"}',
    ]


def test_a_block_is_only_its_part_of_the_chunk():
    chunk = b'{"type":"PushEvent","n":0}\n{"type":"PushEvent","n":1}\n{"type":"PushEvent","n":2}\n'
    second = LineBlock(chunk, chunk.index(b"\n") + 1, chunk.index(b"\n", 30) + 1)
    assert count_records(second) == 1
    assert list(lines_containing(second, b"PushEvent")) == [b'{"type":"PushEvent","n":1}']


BLOCK_TEXTS = {
    "empty lines": b'{"a":1}\n\n{"b":2}\n\n',
    "partial last line": b'{"a":1}\n{"b"',
    "one line break": b"\n",
    "no line break": b"{",
}


@pytest.mark.parametrize("text", BLOCK_TEXTS.values(), ids=BLOCK_TEXTS.keys())
def test_block_lines_are_the_lines_count_records_counts(text: bytes) -> None:
    chunk = b"before\n" + text + b"\nafter"
    for block in (whole(text), LineBlock(chunk, 7, 7 + len(text))):
        lines = block_lines(block)
        assert len(lines) == count_records(block)
        assert b"\n".join(lines) == text.removesuffix(b"\n")


MENTIONS = {
    "first and last bytes": b'"PushEvent"\n{"a":1}\n{"type":"PushEvent"}',
    "twice in a line, sharing a quote": b'{"a":1}\n{"x":"PushEvent"PushEvent"}\n{"b":2}\n',
    "cut by the block's ends": b'PushEvent"}\n{"a":1}\n{"type":"PushEvent',
    "none": b'{"a":1}\n{"type":"PullRequestEvent"}\n',
}


@pytest.mark.parametrize("text", MENTIONS.values(), ids=MENTIONS.keys())
def test_lines_containing_are_the_lines_that_contain_the_marker(text: bytes) -> None:
    marker = b'"PushEvent"'
    expected = [line for line in text.split(b"\n") if marker in line]
    chunk = b'{"type":"' + text + b'"}\n'  # the marker whole only across the block's ends
    for block in (whole(text), LineBlock(chunk, 9, 9 + len(text))):
        assert list(lines_containing(block, marker)) == expected


@pytest.mark.parametrize(
    ("line", "expected", "fragments"),
    [
        pytest.param(encoded(PUSH_A) + encoded(PUSH_B), [PUSH_A, PUSH_B], 0, id="glued"),
        pytest.param(
            encoded(PUSH_A)[:-25] + encoded(PUSH_B), [PUSH_B], 1, id="cut-mid-string-then-glued"
        ),
        pytest.param(encoded(PUSH_A)[:40], [], 1, id="truncated-record"),
        pytest.param(b'{"type":"PushEvent","repo":nul', [], 1, id="ends-in-nul"),
        pytest.param(
            encoded(PUSH_A) + b"garbage" + encoded(PUSH_B), [PUSH_A, PUSH_B], 1, id="junk-between"
        ),
    ],
)
def test_recover_events(line, expected, fragments):
    assert recover_events(line) == (expected, fragments)


def test_recover_events_ignores_nested_objects_of_a_cut_record():
    nested = {"login": "x", "type": "User", "created_at": "2015-01-01T00:00:00Z"}
    cut = b'{"id":"9","type":"PushEvent","actor":' + encoded(nested) + b',"payload":{"ref":"re'
    events, fragments = recover_events(cut + encoded(PUSH_B))
    assert events == [PUSH_B]
    assert fragments == 1


def test_corrupt_data_mid_stream_keeps_what_came_before():
    text = b"".join(encoded({"id": str(n), "pad": "y" * 300}) + b"\n" for n in range(30_000))
    compressed = bytearray(gzip.compress(text, compresslevel=1))
    compressed[len(compressed) // 2 : len(compressed) // 2 + 64] = b"\xff" * 64
    blocks, damage = read_all(bytes(compressed))
    assert damage.truncated and damage.truncated.startswith("corrupt gzip data")
    quarter = len(text) // 4
    assert blocks[:quarter] == text[:quarter]


def test_nul_bomb_is_decompressed_in_bounded_chunks():
    damage = StreamDamage()
    stream = io.BytesIO(gzip.compress(b"\x00" * 50_000_000 + encoded(PUSH_A) + b"\n"))
    blocks = [bytes(block) for block in line_blocks(stream, damage)]
    assert max(len(block) for block in blocks) <= 8 << 20
    assert blocks[-1].strip() == encoded(PUSH_A)
