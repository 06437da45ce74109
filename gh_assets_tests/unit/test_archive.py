"""The archive's file names and the source URLs it accepts."""

import datetime as dt

import pytest

from gh_assets.archive.names import day_filenames, hour_filename
from gh_assets.archive.source import (
    InvalidSourceUrl,
    validate_source_url,
)


def test_hour_names_are_not_zero_padded():
    assert hour_filename(dt.date(2015, 1, 1), 9) == "2015-01-01-9.json.gz"
    names = day_filenames(dt.date(2015, 1, 1))
    assert names[0] == "2015-01-01-0.json.gz" and names[-1] == "2015-01-01-23.json.gz"
    assert len(names) == 24


@pytest.mark.parametrize(
    "url", ["ftp://host/x", "data.gharchive.org", "file://", "http://", "s3://"]
)
def test_source_url_must_be_http_a_folder_or_a_bucket(url):
    with pytest.raises(InvalidSourceUrl, match="is not an http"):
        validate_source_url(url)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://me:s3cret@mirror.example.org/gharchive", "https://mirror.example.org/gharchive"),
        ("http://s3cret@127.0.0.1:8000", "http://127.0.0.1:8000"),
    ],
)
def test_a_source_url_with_credentials_is_refused_without_repeating_them(url, shown):
    with pytest.raises(InvalidSourceUrl, match="holds credentials") as refused:
        validate_source_url(url)
    assert str(refused.value).startswith(f"{shown}: ") and "s3cret" not in str(refused.value)
