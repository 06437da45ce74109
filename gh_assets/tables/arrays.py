"""Arrow arrays and scalars from Python values and numpy arrays, built from their buffers.

Before converting a Python list, a numpy array or a Python scalar (`pa.array`, `pa.scalar`, or a
compute function given a plain value), pyarrow asks its pandas shim whether the value is a pandas
object, and the shim imports pandas to answer: 0.5 s of CPU and 40 MB in every process (1.5 s
without bytecode), in the Dagster process and in each Dask worker, for nothing, since no value
here comes from pandas. The builders here give the same arrays from buffers, which pyarrow takes
as they are, and `to_numpy` gives integers back the same way. (`pq.read_table` and group-bys
import pandas too, through `pyarrow.dataset`: use `pq.ParquetFile(...).read` and
`pc.value_counts` instead; `Schema.empty_table` too: use `empty_table`.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from itertools import accumulate, repeat
from operator import is_not

import numpy as np
import pyarrow as pa

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
_NUMPY_INTEGERS = {
    pa.int8(): np.int8,
    pa.int16(): np.int16,
    pa.int32(): np.int32,
    pa.int64(): np.int64,
}


def empty_table(schema: pa.Schema) -> pa.Table:
    """A table of `schema` with no rows."""
    return pa.Table.from_batches([], schema=schema)


def _validity(values: Sequence) -> tuple[pa.Buffer | None, int]:
    """The validity bitmap of `values` (None: no nulls) and their null count."""
    if None not in values:
        return None, 0
    present = np.fromiter(map(is_not, values, repeat(None)), np.bool_, len(values))
    nulls = len(values) - int(present.sum())
    return pa.py_buffer(np.packbits(present, bitorder="little")), nulls


def _numpy_integer(type_: pa.DataType) -> type[np.integer]:
    """The numpy integer of an integer type, or of a timestamp's int64 ticks."""
    return np.int64 if pa.types.is_timestamp(type_) else _NUMPY_INTEGERS[type_]


def from_numpy(values: np.ndarray, type_: pa.DataType) -> pa.Array:
    """An array of `type_` (an integer type or a timestamp) holding the integers of `values`."""
    width = _numpy_integer(type_)
    data = np.ascontiguousarray(values, dtype=width)
    return pa.Array.from_buffers(type_, len(data), [None, pa.py_buffer(data)])


def strings(values: Sequence) -> pa.Array:
    """A string array; a value that is not a string is written as `str(value)`, and text that
    is not valid Unicode (a lone surrogate) is mended (`?`), not lost."""
    texts = values if None not in values else ["" if value is None else value for value in values]
    try:  # a column of strings is encoded at once
        joined = "".join(texts)
        data = joined.encode()
    except (TypeError, UnicodeEncodeError):  # a value that is not a string, a lone surrogate
        return utf8_strings([None if value is None else _utf8(value) for value in values])
    ascii_only = len(data) == len(joined)  # then each text's length in bytes is its length
    return _end_to_end(data, map(len, texts if ascii_only else map(str.encode, texts)), values)


def utf8_strings(texts: Sequence) -> pa.Array:
    """A string array of UTF-8 texts (bytes-like: bytes, `msgspec.Raw`) taken as they are, the
    caller knowing them valid; None is null."""
    filled = texts if None not in texts else [b"" if text is None else text for text in texts]
    return _end_to_end(b"".join(filled), map(len, filled), texts)


def _utf8(value: object) -> bytes:
    return (value if isinstance(value, str) else str(value)).encode("utf-8", "replace")


def _end_to_end(data: bytes, lengths: Iterable[int], values: Sequence) -> pa.Array:
    """A string array of `values` laid end to end in `data`, each of the byte length that
    `lengths` gives it (0 for None, which is null)."""
    ends = np.fromiter(accumulate(lengths, initial=0), np.int64, len(values) + 1)
    large = ends[-1] > np.iinfo(np.int32).max
    offsets = pa.py_buffer(ends if large else ends.astype(np.int32))
    validity, nulls = _validity(values)
    type_ = pa.large_string() if large else pa.string()
    buffers = [validity, offsets, pa.py_buffer(data)]
    array = pa.Array.from_buffers(type_, len(values), buffers, null_count=nulls)
    return array.cast(pa.string()) if large else array


def integers(values: Sequence, type_: pa.DataType) -> pa.Array:
    """An integer (or timestamp, from integers of its unit) array; None is null. A value out of
    the type's range raises OverflowError."""
    width = _numpy_integer(type_)
    filled = values if None not in values else [0 if value is None else value for value in values]
    data = np.fromiter(filled, width, len(values))
    validity, nulls = _validity(values)
    return pa.Array.from_buffers(
        type_, len(values), [validity, pa.py_buffer(data)], null_count=nulls
    )


def booleans(values: Sequence | np.ndarray) -> pa.Array:
    """A boolean array; None is null, any other value counts by its truth."""
    if isinstance(values, np.ndarray):
        bits, (validity, nulls) = values.astype(np.bool_), (None, 0)
    else:
        bits = np.fromiter(map(bool, values), np.bool_, len(values))
        validity, nulls = _validity(values)
    data = pa.py_buffer(np.packbits(bits, bitorder="little"))
    return pa.Array.from_buffers(pa.bool_(), len(values), [validity, data], null_count=nulls)


def array(values: Sequence, type_: pa.DataType) -> pa.Array:
    """An array of `type_` (string, integer, timestamp or boolean) holding `values`."""
    if pa.types.is_string(type_):
        return strings(values)
    if pa.types.is_boolean(type_):
        return booleans(values)
    return integers(values, type_)


def table(rows: Sequence[tuple], schema: pa.Schema) -> pa.Table:
    """A table of `schema` holding `rows`, tuples of values in the schema's column order."""
    columns = list(zip(*rows, strict=True)) or [()] * len(schema)
    arrays = [array(values, field.type) for values, field in zip(columns, schema, strict=True)]
    return pa.Table.from_arrays(arrays, schema=schema)


def micros(moment: dt.datetime) -> int:
    """An aware time as microseconds since the epoch: a UTC timestamp column's integer."""
    return (moment - _EPOCH) // _MICROSECOND


def repeated(text: str, count: int) -> pa.Array:
    """`text` `count` times, as a string array."""
    data = text.encode()
    offsets = np.arange(count + 1, dtype=np.int64) * len(data)
    buffers = [None, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data * count)]
    return pa.Array.from_buffers(pa.string(), count, buffers)


def to_numpy(values: pa.Array) -> np.ndarray:
    """The integers of an integer array without nulls, as a read-only numpy view."""
    if values.null_count:
        raise ValueError("an array with nulls")
    width = np.dtype(_NUMPY_INTEGERS[values.type])
    data = values.buffers()[1]
    return np.frombuffer(data, width, len(values), values.offset * width.itemsize)


def scalar(value: str | int, type_: pa.DataType) -> pa.Scalar:
    """A scalar to compare arrays with in compute functions."""
    return array([value], type_)[0]
