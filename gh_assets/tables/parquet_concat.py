"""Parquet files of one schema joined into one without decoding them: row-group concatenation.

The column chunks' bytes are copied as they are; the footer is the first file's, with the row
groups of all of them, every absolute offset shifted to where its bytes now are, and the row count
summed. Readers see the rows of the files in order, with the same row groups, encodings and
statistics; row groups without rows are left out (pyarrow writes one with a dictionary page and
no data page for an empty table). What cannot be shifted safely is refused (`ConcatRefused`)
before anything is written, so that the caller can decode and encode instead: page indexes and
bloom filters (they sit outside the row groups), encryption, column chunks kept in other files,
fields this module does not know in the structs that hold offsets, and files whose schema,
key-value metadata or column orders differ.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

from gh_assets.tables.thrift_compact import (
    I16,
    I64,
    LIST,
    STRUCT,
    Field,
    Struct,
    ThriftError,
    ThriftList,
    dump,
    get,
    parse,
    put,
)

MAGIC = b"PAR1"
COPY_BYTES = 8 << 20
# The fields Parquet's format defines in the structs that hold file offsets (parquet.thrift):
FILE_METADATA = {1, 2, 3, 4, 5, 6, 7}  # 8, 9: encryption
ROW_GROUP = {1, 2, 3, 4, 5, 6, 7}  # 5: file_offset, 7: ordinal
COLUMN_CHUNK = {2, 3}  # 1: file_path; 4-7: offset and column indexes; 8, 9: encryption
COLUMN_METADATA = {*range(1, 14), 16, 17}  # 9-11: page offsets; 14, 15: bloom filter
SAME_IN_EVERY_FILE = (2, 5, 7)  # schema, key-value metadata (the Arrow schema), column orders


class ConcatRefused(ValueError):
    """These files cannot be joined by copying their row groups; decode and encode them instead."""


@dataclass
class ParquetFooter:
    """A Parquet file's footer, and where its row groups' bytes are: `[4, data_end)`."""

    metadata: Struct
    data_end: int

    @property
    def rows(self) -> int:
        return get(self.metadata, 3)

    @property
    def row_groups(self) -> list[Struct]:
        """The row groups that hold rows."""
        return [
            group for group in get(self.metadata, 4, ThriftList(STRUCT, [])).items if get(group, 3)
        ]


def read_footer(file: BinaryIO, size: int) -> ParquetFooter:
    """The footer of the Parquet file `file` of `size` bytes, checked for joining."""
    if size < 12:
        raise ConcatRefused(f"{size} bytes: not a Parquet file")
    file.seek(size - 8)
    tail = file.read(8)
    if tail[4:] != MAGIC:
        raise ConcatRefused("no PAR1 at the end: not Parquet, or an encrypted footer")
    length = int.from_bytes(tail[:4], "little")
    data_end = size - 8 - length
    if data_end < 4:
        raise ConcatRefused("footer longer than the file")
    file.seek(data_end)
    try:
        metadata = parse(file.read(length))
    except ThriftError as exc:
        raise ConcatRefused(f"footer not readable: {exc}") from None
    footer = ParquetFooter(metadata, data_end)
    _check(footer)
    return footer


def _unknown(struct: Struct, known: set[int], what: str) -> None:
    extra = sorted({field.id for field in struct} - known)
    if extra:
        raise ConcatRefused(f"{what} has fields {extra} (page index, bloom filter, encryption?)")


def _check(footer: ParquetFooter) -> None:
    """Refuse what cannot be shifted; every page offset must lie among the file's row groups."""
    _unknown(footer.metadata, FILE_METADATA, "FileMetaData")
    for row_group in footer.row_groups:
        _unknown(row_group, ROW_GROUP, "RowGroup")
        for chunk in get(row_group, 1).items:
            _unknown(chunk, COLUMN_CHUNK, "ColumnChunk")
            metadata = get(chunk, 3)
            if metadata is None:
                raise ConcatRefused("a column chunk without metadata")
            _unknown(metadata, COLUMN_METADATA, "ColumnMetaData")
            for field_id in (9, 10, 11):
                offset = get(metadata, field_id)
                if offset is not None and not 4 <= offset < footer.data_end:
                    raise ConcatRefused(f"page offset {offset} outside the row groups")


def _shift(row_group: Struct, shift: int, ordinal: int) -> None:
    for chunk in get(row_group, 1).items:
        if get(chunk, 2):  # the deprecated file_offset: 0 (as parquet-cpp writes it) stays 0
            put(chunk, 2, I64, get(chunk, 2) + shift)
        metadata = get(chunk, 3)
        for field_id in (9, 10, 11):  # data, index and dictionary page offsets
            offset = get(metadata, field_id)
            if offset is not None:
                put(metadata, field_id, I64, offset + shift)
    if get(row_group, 5) is not None:
        put(row_group, 5, I64, get(row_group, 5) + shift)
    if get(row_group, 7) is not None:
        put(row_group, 7, I16, ordinal)


def joined_footer(footers: Sequence[ParquetFooter]) -> bytes:
    """The footer of the files joined in order (the files' row groups then start at `4`, `4 +`
    the first file's row-group bytes, and so on); refused unless they agree on their schema."""
    if not footers:
        raise ConcatRefused("no files")
    same = [dump([f for f in footer.metadata if f.id in SAME_IN_EVERY_FILE]) for footer in footers]
    if any(other != same[0] for other in same[1:]):
        raise ConcatRefused("the files differ in schema, key-value metadata or column orders")
    row_groups: list[Struct] = []
    position = 4
    for footer in footers:
        for row_group in footer.row_groups:
            if position > 4 or get(row_group, 7, len(row_groups)) != len(row_groups):
                row_group = parse(dump(row_group))  # a copy: the caller's footer stays as read
                _shift(row_group, position - 4, len(row_groups))
            row_groups.append(row_group)  # the first file's stay where they are, as they are
        position += footer.data_end - 4
    if len(row_groups) > 0x7FFF:
        raise ConcatRefused(f"{len(row_groups)} row groups: more than a row group ordinal holds")
    metadata = [Field(field.id, field.type, field.value) for field in footers[0].metadata]
    put(metadata, 3, I64, sum(footer.rows for footer in footers))
    put(metadata, 4, LIST, ThriftList(STRUCT, row_groups))
    return dump(metadata)


def concatenate(parts: Sequence[tuple[BinaryIO, ParquetFooter]], out: BinaryIO) -> int:
    """Write the Parquet files `parts` (open files and their footers) joined into one to `out`;
    the rows written. Refusals come before the first byte is written."""
    footer = joined_footer([part_footer for _, part_footer in parts])
    out.write(MAGIC)
    for file, part_footer in parts:
        file.seek(4)
        left = part_footer.data_end - 4
        while left:
            data = file.read(min(COPY_BYTES, left))
            if not data:
                raise OSError(f"a part ended {left} bytes early")
            out.write(data)
            left -= len(data)
    out.write(footer)
    out.write(len(footer).to_bytes(4, "little"))
    out.write(MAGIC)
    return sum(part_footer.rows for _, part_footer in parts)
