"""Row-group concatenation: the footer codec, joined files as every reader sees them, refusals."""

from __future__ import annotations

import io
from datetime import date

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from gh_assets.compute.hour_transform import transform_stream
from gh_assets.tables import thrift_compact
from gh_assets.tables.catalogue import COMMITS, PUSH_EVENTS
from gh_assets.tables.parquet_concat import ConcatRefused, concatenate, read_footer
from gh_assets_tests.gharchive_samples import REAL_HOUR, SAMPLES_DIR
from gh_assets_tests.synthetic.days import fake_damaged_day, fake_day


def transform_to_parts(body: bytes, source_file: str) -> dict[str, bytes]:
    """The parts the transform writes for one gzip file, by table."""
    pushes, commits = io.BytesIO(), io.BytesIO()
    transform_stream(io.BytesIO(body), source_file, {"push_events": pushes, "commits": commits})
    return {PUSH_EVENTS.name: pushes.getvalue(), COMMITS.name: commits.getvalue()}


def footer_bytes(data: bytes) -> bytes:
    length = int.from_bytes(data[-8:-4], "little")
    return data[-8 - length : -8]


def parquet(table: pa.Table, **options) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer, **{**PUSH_EVENTS.parquet_options, **options})
    return buffer.getvalue()


def parts_of_real_and_generated_hours() -> dict[str, bytes]:
    """The parts the transform writes for the real hour and for generated hours of every era."""
    parts = {}
    real = (SAMPLES_DIR / REAL_HOUR).read_bytes()
    for table, data in transform_to_parts(real, "2015-01-01-1.json.gz").items():
        parts[f"real-2015-01-01-1 {table}"] = data
    for era, day in {"legacy": date(2011, 2, 12), "timeline": date(2013, 3, 24)}.items():
        fake = fake_day(day, hours=[0])
        for table, data in transform_to_parts(fake.hours[0].body(), "x.json.gz").items():
            parts[f"{era} {table}"] = data
    fake = fake_damaged_day(date(2025, 10, 8))
    for table, data in transform_to_parts(fake.hours[3].body(), "x.json.gz").items():
        parts[f"slim-damaged {table}"] = data
    return parts


PARTS = parts_of_real_and_generated_hours()
ROWS = pa.Table.from_pylist(
    [{"event_id": str(n), "repo": f"o/r{n % 7}", "commit_count": n % 5} for n in range(3000)],
    schema=PUSH_EVENTS.schema,
)
WRITER_OPTIONS = {
    "the project's": {},
    "no statistics": {"write_statistics": False},
    "no dictionary, lz4": {"use_dictionary": False, "compression": "lz4"},
    "small row groups and pages": {"row_group_size": 700, "data_page_size": 2048},
    "page index": {"write_page_index": True},
    "bloom filters": {"bloom_filter_options": {"event_id": True}},
    "sorted": {"sorting_columns": [pq.SortingColumn(0)]},
}


@pytest.mark.parametrize("name", PARTS)
def test_the_codec_writes_real_footers_back_byte_for_byte(name):
    raw = footer_bytes(PARTS[name])
    assert thrift_compact.dump(thrift_compact.parse(raw)) == raw


@pytest.mark.parametrize("options", WRITER_OPTIONS.values(), ids=WRITER_OPTIONS.keys())
def test_the_codec_writes_back_footers_of_every_writer_option(options):
    raw = footer_bytes(parquet(ROWS, **options))
    assert thrift_compact.dump(thrift_compact.parse(raw)) == raw


def test_the_codec_refuses_bytes_that_are_not_one_struct():
    raw = footer_bytes(parquet(ROWS))
    for broken in (raw[:-1], raw + b"\x00", raw[: len(raw) // 2]):
        with pytest.raises(thrift_compact.ThriftError):
            thrift_compact.parse(broken)


@pytest.mark.parametrize("name", PARTS)
def test_the_transforms_parts_can_be_joined(name):
    """Fails if pyarrow starts writing page indexes or bloom filters (which sit outside the row
    groups) or anything else unknown by default: publishing would then always decode."""
    data = PARTS[name]
    footer = read_footer(io.BytesIO(data), len(data))
    for row_group in footer.row_groups:
        for chunk in thrift_compact.get(row_group, 1).items:
            assert {field.id for field in chunk} <= {2, 3}
            assert not {14, 15} & {field.id for field in thrift_compact.get(chunk, 3)}


def join(files: list[bytes]) -> bytes:
    out = io.BytesIO()
    parts = [(io.BytesIO(data), read_footer(io.BytesIO(data), len(data))) for data in files]
    rows = concatenate(parts, out)
    assert rows == sum(pq.ParquetFile(io.BytesIO(data)).metadata.num_rows for data in files)
    return out.getvalue()


def slices(table: pa.Table, *bounds: int) -> list[pa.Table]:
    edges = [0, *bounds, table.num_rows]
    return [table.slice(start, end - start) for start, end in zip(edges, edges[1:], strict=False)]


@pytest.mark.parametrize(
    "options",
    [WRITER_OPTIONS[name] for name in ("the project's", "no statistics", "no dictionary, lz4")]
    + [WRITER_OPTIONS["small row groups and pages"], WRITER_OPTIONS["sorted"]],
    ids=["the project's", "no statistics", "no dictionary, lz4", "small groups", "sorted"],
)
def test_joined_files_read_as_the_files_in_order_in_every_reader(options, tmp_path):
    pieces = slices(ROWS, 1000, 1000, 2500)  # one of them empty
    files = [parquet(piece, **options) for piece in pieces]
    joined = tmp_path / "joined.parquet"
    joined.write_bytes(join(files))
    expected = pa.concat_tables(pieces)
    table = pq.read_table(joined)
    assert table.equals(expected) and table.schema.equals(PUSH_EVENTS.schema, check_metadata=False)
    duck = duckdb.sql(f"SELECT * FROM read_parquet('{joined}') ").to_arrow_table()
    assert duck.column("event_id").to_pylist() == expected.column("event_id").to_pylist()
    assert pl.read_parquet(joined).equals(pl.from_arrow(expected))
    metadata = [pq.ParquetFile(io.BytesIO(data)).metadata for data in files]
    by_group = [m.row_group(i) for m in metadata for i in range(m.num_row_groups)]
    by_group = [group for group in by_group if group.num_rows]  # an empty one is left out
    joined_meta = pq.ParquetFile(joined).metadata
    assert joined_meta.num_row_groups == len(by_group)
    for index, original in enumerate(by_group):
        group = joined_meta.row_group(index)
        assert group.num_rows == original.num_rows
        for column in range(group.num_columns):
            assert group.column(column).statistics == original.column(column).statistics


def test_statistics_still_prune_in_duckdb(tmp_path):
    joined = tmp_path / "joined.parquet"
    joined.write_bytes(join([parquet(piece) for piece in slices(ROWS, 1000, 2000)]))
    stats = duckdb.sql(
        f"SELECT count(*), count(stats_min_value) FROM parquet_metadata('{joined}') "
        "WHERE path_in_schema = 'event_id'"
    ).fetchall()
    assert stats == [(3, 3)]
    found = duckdb.sql(f"SELECT count(*) FROM '{joined}' WHERE event_id = '2999'").fetchall()
    assert found == [(1,)]


@pytest.mark.parametrize("name", ["page index", "bloom filters"])
def test_files_with_what_cannot_be_shifted_are_refused(name):
    data = parquet(ROWS, **WRITER_OPTIONS[name])
    with pytest.raises(ConcatRefused):
        read_footer(io.BytesIO(data), len(data))


def test_a_footer_pointing_into_other_files_is_refused(tmp_path):
    metadata = pq.ParquetFile(io.BytesIO(parquet(ROWS))).metadata
    metadata.set_file_path("elsewhere.parquet")
    pq.write_metadata(ROWS.schema, tmp_path / "_metadata", metadata_collector=[metadata])
    data = (tmp_path / "_metadata").read_bytes()
    with pytest.raises(ConcatRefused, match="ColumnChunk"):
        read_footer(io.BytesIO(data), len(data))


def test_files_of_different_schemas_are_refused_before_anything_is_written():
    commits = pa.Table.from_pylist([{"event_id": "1", "commit_index": 0}], schema=COMMITS.schema)
    files = [parquet(ROWS), parquet(commits)]
    parts = [(io.BytesIO(data), read_footer(io.BytesIO(data), len(data))) for data in files]
    out = io.BytesIO()
    with pytest.raises(ConcatRefused, match="schema"):
        concatenate(parts, out)
    assert out.getvalue() == b""


def test_what_is_not_parquet_is_refused():
    for data in (b"", b"PAR1", b"not parquet at all, but long enough"):
        with pytest.raises(ConcatRefused):
            read_footer(io.BytesIO(data), len(data))
