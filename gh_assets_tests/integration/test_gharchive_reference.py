"""The real hour served over HTTP by the mirror reads the same in the reference reader."""

from __future__ import annotations

import gzip
from pathlib import Path

import requests

from gh_assets_tests.gharchive_samples import (
    REAL_HOUR,
    install_sample,
)
from gh_assets_tests.harnesses.archive_mirror import ArchiveMirror
from gh_assets_tests.oracles.gharchive_reference import (
    reference_rows,
)


def test_real_hour_served_over_http_reads_the_same(tmp_path: Path) -> None:
    install_sample(REAL_HOUR, tmp_path)
    with ArchiveMirror(tmp_path) as mirror:
        body = requests.get(mirror.url("2015-01-01-1.json.gz"), timeout=30).content
    lines = gzip.decompress(body).split(b"\n")
    assert len(reference_rows(lines, "2015-01-01-1.json.gz")[0]) == 4150
