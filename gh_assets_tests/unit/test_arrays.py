"""Arrays built from buffers equal pyarrow's conversions, and a day's work never imports pandas."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pyarrow as pa
import pytest

from gh_assets.tables import arrays
from gh_assets.tables.catalogue import UTC_MICROS

SAMPLES = {
    pa.string(): ["a", None, "", "ünï 😀", "x" * 1000, None],
    pa.int8(): [0, -128, 127, None],
    pa.int16(): [None, 3, -32768],
    pa.int32(): [2**31 - 1, None, 0],
    pa.int64(): [2**63 - 1, -(2**63), None, 7],
    UTC_MICROS: [1420070400000000, None, 0],
    pa.bool_(): [True, None, False],
}


@pytest.mark.parametrize("type_", SAMPLES, ids=str)
@pytest.mark.parametrize("cut", [None, 1], ids=["whole", "all-but-first"])
def test_arrays_equal_pyarrows_conversion(type_, cut):
    values = SAMPLES[type_][cut:]
    built = arrays.array(values, type_)
    built.validate(full=True)
    assert built.equals(pa.array(values, type_))
    assert arrays.array([], type_).equals(pa.array([], type_))


TEXTS = {
    "ascii": ["PushEvent", "a", ""],
    "ascii with nulls": [None, "octo/repo", None, "x"],
    "one non-ascii": ["a", "é", "bc"],
    "only nulls": [None, None],
}


@pytest.mark.parametrize("values", TEXTS.values(), ids=TEXTS.keys())
def test_strings_and_utf8_texts_equal_pyarrows_conversion(values):
    expected = pa.array(values, pa.string())
    assert arrays.strings(values).equals(expected)
    assert arrays.strings(tuple(values)).equals(expected)
    encoded = [None if value is None else value.encode() for value in values]
    assert arrays.utf8_strings(encoded).equals(expected)


def test_text_that_is_not_a_string_or_not_valid_unicode_is_kept_readable():
    built = arrays.strings([5, True, {"a": 1}, "lone \ud800 surrogate"])
    assert built.to_pylist() == ["5", "True", "{'a': 1}", "lone ? surrogate"]


def test_integers_out_of_range_are_refused():
    with pytest.raises(OverflowError):
        arrays.integers([2**63], pa.int64())


def test_numpy_integers_and_booleans_round_trip():
    numbers = np.arange(10, dtype=np.int64) - 3
    assert arrays.from_numpy(numbers, pa.int32()).to_pylist() == numbers.tolist()
    assert arrays.to_numpy(pa.array(numbers).slice(2, 5)).tolist() == numbers[2:7].tolist()
    bits = numbers % 3 == 0
    assert arrays.booleans(bits).to_pylist() == bits.tolist()


def test_repeated_text_and_scalars():
    assert arrays.repeated("2015-01-01-0.json.gz", 3).equals(pa.array(["2015-01-01-0.json.gz"] * 3))
    assert arrays.repeated("x", 0).equals(pa.array([], pa.string()))
    assert arrays.scalar("PushEvent", pa.string()).equals(pa.scalar("PushEvent"))


A_DAYS_WORK = """
import datetime as dt, io, sys, tempfile
from contextlib import ExitStack
from gh_assets.archive.source import HourFile
from gh_assets.compute.day_publish import commit_day
from gh_assets.compute.hour_transform import transform_stream
from gh_assets.reading.records import NotGzipError
from gh_assets.archive.manifest import manifest_table
from gh_assets.tables.storage import Storage
from gh_assets_tests.gharchive_samples import REAL_HOUR, SAMPLES_DIR
from gh_assets_tests.synthetic.days import fake_damaged_day
from gh_assets_tests.synthetic.eras import ERAS

TABLES = ("push_events", "commits", "events")
storage = Storage(tempfile.mkdtemp())
bodies = [(SAMPLES_DIR / REAL_HOUR).read_bytes()]
bodies += [hour.body() for hour in fake_damaged_day(dt.date(2025, 10, 6), eras=ERAS).hours.values()]
parts = []
for n, body in enumerate(bodies):
    for fast in (True, False):  # the fast readers, then line by line
        part = {t: f"{storage.root}/stage/{t}/{n}{fast}.parquet" for t in TABLES}
        with ExitStack() as files:
            for path in part.values():
                storage.make_parent(path)
            sinks = {t: files.enter_context(open(path, "wb")) for t, path in part.items()}
            try:
                transform_stream(io.BytesIO(body), "x", sinks, fast, fast)
            except NotGzipError:
                continue
        parts.append(part)
day = dt.date(2015, 1, 1)
summary = commit_day(storage, day, parts, f"{storage.root}/stage", TABLES)
assert summary.duplicates_across_files and summary.top_repos and summary.event_types
files = [HourFile("2015-01-01-0.json.gz", "u", True, 200, 1, None, None)]
storage.write_table(storage.day_file("gharchive_manifest", day), manifest_table(files))
storage.read_table(storage.day_file("gharchive_manifest", day), ["filename", "exists"])
assert "pandas" not in sys.modules, "pandas was imported"
"""


def test_a_days_work_never_imports_pandas():
    """Transform (the fast and the normative readers, every era and damage), publish of every
    table, and the manifest, in a fresh process: pyarrow would import pandas (0.5 s and 40 MB a
    process) on many conversions."""
    run = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(A_DAYS_WORK)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr[-3000:]
