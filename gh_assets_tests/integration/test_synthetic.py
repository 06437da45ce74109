"""A generated day written to a folder is served by the loopback mirror as the archive would."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import requests

from gh_assets_tests.harnesses.archive_mirror import ArchiveMirror
from gh_assets_tests.oracles.gharchive_contract import hour_file_name
from gh_assets_tests.synthetic.days import fake_damaged_day

DAY = date(2013, 3, 24)  # the timeline era


def test_written_day_is_served_by_the_mirror(tmp_path: Path) -> None:
    fake = fake_damaged_day(DAY)
    fake.write(tmp_path)
    assert len(list(tmp_path.iterdir())) == 22
    with ArchiveMirror(tmp_path) as mirror:
        ok = requests.get(mirror.url(hour_file_name(DAY, 0)), timeout=5)
        missing = requests.get(mirror.url(hour_file_name(DAY, 8)), timeout=5)
        not_gzip = requests.get(mirror.url(hour_file_name(DAY, 7)), timeout=5)
    assert ok.content == fake.hours[0].body()
    assert missing.status_code == 404
    assert not_gzip.status_code == 200 and b"NoSuchKey" in not_gzip.content
