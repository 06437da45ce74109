"""A copy of the archive in a folder (`file://`) answers like the archive."""

import datetime as dt
import os
import pickle

import pytest

from gh_assets.archive.source import ArchiveError
from gh_assets.defs.resources import ArchiveResource
from gh_assets_tests.synthetic.days import fake_day

DAY = dt.date(2016, 3, 1)


def test_a_folder_answers_like_the_archive(tmp_path):
    fake_day(DAY, hours=[0, 3]).write(tmp_path)
    client = pickle.loads(pickle.dumps(ArchiveResource(base_url=f"file://{tmp_path}").client()))
    files = client.probe_day(DAY)
    assert [file.exists for file in files] == [hour in (0, 3) for hour in range(24)]
    first = files[0]
    assert (first.status, first.size) == (200, (tmp_path / first.filename).stat().st_size)
    assert first.last_modified.endswith(" GMT") and files[1].status == 404
    assert client.open(files[1].filename) is None
    with client.open(first.filename) as body:
        assert body.read() == (tmp_path / first.filename).read_bytes()
        assert body.position == first.size


@pytest.mark.parametrize("probe", ["probe_day", "probe"])
def test_a_folder_that_does_not_exist_is_an_error_not_missing_hours(tmp_path, probe):
    """Whether a day's 24 files are probed (the manifest) or one (the sensor)."""
    client = ArchiveResource(base_url=f"file://{tmp_path}/gharchvie").client()
    with pytest.raises(ArchiveError, match="gharchvie'?: no such folder"):
        getattr(client, probe)(DAY if probe == "probe_day" else "2016-03-01-0.json.gz")


def test_a_local_file_written_again_is_another_version_without_being_read(tmp_path):
    """Same size, same second: the weak ETag (modification time in nanoseconds, size) differs."""
    fake_day(DAY, hours=[0]).write(tmp_path)
    client = ArchiveResource(base_url=f"file://{tmp_path}").client()
    path = tmp_path / f"{DAY}-0.json.gz"
    before = client.probe(path.name)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1000))
    after = client.probe(path.name)
    assert before.etag.startswith('W/"') and before.size == after.size
    assert before.last_modified == after.last_modified and before.etag != after.etag


def test_a_day_with_missing_hours_looks_at_the_folder_once(tmp_path, monkeypatch):
    """On S3 each look is a listing request: not one per missing hour."""
    fake_day(DAY, hours=[0]).write(tmp_path)
    client = ArchiveResource(base_url=f"file://{tmp_path}").client()
    fs = client._folder.fs
    looks = []
    real_isdir = fs.isdir
    monkeypatch.setattr(fs, "isdir", lambda path: looks.append(path) or real_isdir(path))
    files = client.probe_day(DAY)
    assert sum(file.exists for file in files) == 1 and len(looks) == 1
