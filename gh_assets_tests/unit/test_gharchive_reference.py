"""The reference reader gives the known counts and rows on the real samples."""

from __future__ import annotations

import gzip
import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gh_assets_tests.gharchive_samples import (
    FIRST_100,
    MIXED_SMALL,
    REAL_HOUR,
    SAMPLES_DIR,
    install_sample,
    sample_lines,
)
from gh_assets_tests.oracles.gharchive_reference import (
    parse_created_at,
    reference_day_rows,
    reference_rows,
)

REAL_HOUR_SHA256 = "7e13c9b7573945292a017592768339fc93927916533ee83c0c05369feedfa756"


def test_real_hour_gives_known_counts() -> None:
    pushes, commits = reference_rows(sample_lines(REAL_HOUR), "2015-01-01-1.json.gz")
    assert (len(pushes), len(commits)) == (4150, 7642)
    assert sum(p["commit_count"] for p in pushes) == 7642
    assert len({p["event_id"] for p in pushes}) == 4150
    assert len({(c["event_id"], c["commit_index"]) for c in commits}) == 7642
    assert len({c["sha"] for c in commits}) < 7642  # the same sha in several pushes


def test_real_hour_first_push_row() -> None:
    pushes, commits = reference_rows(sample_lines(REAL_HOUR), "2015-01-01-1.json.gz")
    push = next(p for p in pushes if p["event_id"] == "2489395767")
    assert push == {
        "event_id": "2489395767",
        "push_id": 536752122,
        "user": "soumith",
        "repo": "soumith/fbcunn",
        "repo_id": 28067809,
        "created_at": datetime(2015, 1, 1, 1, 0, 0, tzinfo=UTC),
        "ref": "refs/heads/master",
        "head": "fa6048ec9b9eeafd12cee5f81324f355e1f2a198",
        "before": "2d06657267b32e0c8e193c617039da200f710195",
        "size": 4,
        "distinct_size": 4,
        "commit_count": 4,
        "source_file": "2015-01-01-1.json.gz",
    }
    first = next(c for c in commits if c["event_id"] == "2489395767" and c["commit_index"] == 0)
    assert first["sha"] == "dbd68d30ee1f7b60d404553fc1c6226ebb374c8e"
    assert first["author_email"] == "88de463b5797707cf3425f85a415c3d869db732b@gmail.com"
    assert first["author_name"] == "Soumith Chintala"
    assert first["distinct"] is True


def test_first_hundred_lines_of_2019() -> None:
    pushes, commits = reference_rows(sample_lines(FIRST_100), "2019-11-27-3.json.gz")
    assert (len(pushes), len(commits)) == (50, 103)
    assert all(int(p["event_id"]) > 2**32 for p in pushes)


def test_mixed_sample_with_timeline_events() -> None:
    pushes, commits = reference_rows(sample_lines(MIXED_SMALL), "2015-01-01-5.json.gz")
    assert (len(pushes), len(commits)) == (770, 1252)
    timeline = [p for p in pushes if p["event_id"] is None]
    assert len(timeline) == 77
    assert all(p["push_id"] is None and p["before"] is None for p in timeline)
    push = next(p for p in timeline if p["user"] == "Krack54")
    assert push["repo"] == "Nitix/Crazy-Charly-Day"
    assert push["repo_id"] == 16133014
    assert push["created_at"] == datetime(2014, 1, 23, 12, 3, 29, tzinfo=UTC)
    assert push["size"] == push["commit_count"] == 2
    assert any(c["event_id"] is None and c["distinct"] is True for c in commits)
    assert any(p["size"] == 859 and p["commit_count"] == 20 for p in pushes)


def test_parse_created_at_forms() -> None:
    expected = datetime(2012, 6, 14, 22, 1, 39, tzinfo=UTC)
    assert parse_created_at("2012-06-14T15:01:39-07:00") == expected
    assert parse_created_at("2012/06/14 15:01:39 -0700") == expected
    assert parse_created_at("2012-06-14T22:01:39Z") == expected


def test_duplicates_across_files_keep_the_first_hour() -> None:
    lines = sample_lines(FIRST_100)[:10]
    files = {"2019-11-27-10.json.gz": lines, "2019-11-27-3.json.gz": lines + lines[:2]}
    pushes, _ = reference_day_rows(files)
    assert pushes == reference_rows(lines, "2019-11-27-3.json.gz")[0]


def test_reference_reader_refuses_damaged_lines() -> None:
    with pytest.raises(ValueError, match="line 2"):
        reference_rows([b'{"type":"WatchEvent"}', b'{"type":"Push'], "2015-01-01-0.json.gz")


def test_install_real_hour_keeps_its_bytes(tmp_path: Path) -> None:
    path = install_sample(REAL_HOUR, tmp_path)
    assert path.name == "2015-01-01-1.json.gz"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == REAL_HOUR_SHA256


def test_install_plain_sample_gzips_it_under_the_chosen_name(tmp_path: Path) -> None:
    assert install_sample(FIRST_100, tmp_path).name == "2019-11-27-3.json.gz"
    path = install_sample(MIXED_SMALL, tmp_path, "2014-06-01-7.json.gz")
    assert gzip.decompress(path.read_bytes()) == (SAMPLES_DIR / MIXED_SMALL).read_bytes()
    with pytest.raises(ValueError):
        install_sample(MIXED_SMALL, tmp_path)
