import datetime as dt
import os
import pickle
import time

import pyarrow as pa
import pytest

from gh_assets.tables.storage import Storage, StorageError


def test_open_atomic_publishes_only_on_success(tmp_path):
    storage = Storage(str(tmp_path))
    path = f"{storage.root}/t/date=2015-01-01/data.parquet"
    storage.write_table(path, pa.table({"a": [1]}))
    with pytest.raises(RuntimeError), storage.open_atomic(path) as file:
        file.write(b"half a part")
        raise RuntimeError("interrupted")
    assert storage.read_table(path)["a"].to_pylist() == [1]
    assert sorted(p.name for p in (tmp_path / "t" / "date=2015-01-01").iterdir()) == [
        "data.parquet"
    ]


def test_temporaries_of_killed_writers_go_once_an_hour_old(tmp_path):
    storage = Storage(str(tmp_path))
    day = tmp_path / "t" / "date=2015-01-01"
    day.mkdir(parents=True)
    abandoned, recent = day / "_0a.inprogress", day / "_0b.inprogress"
    for temporary in (abandoned, recent):
        temporary.write_bytes(b"half a day file")
    hours_ago = time.time() - 2 * 3600
    os.utime(abandoned, (hours_ago, hours_ago))
    storage.write_table(f"{day}/data.parquet", pa.table({"a": [1]}))
    assert sorted(p.name for p in day.iterdir()) == ["_0b.inprogress", "data.parquet"]


@pytest.mark.parametrize("age_hours", [0, 2])
def test_a_temporary_another_writer_ends_meanwhile_is_passed_over(tmp_path, monkeypatch, age_hours):
    """Writers share a folder (the GitHub answer cache's concurrent requests): a temporary
    listed, then renamed or removed by its writer before it is looked at, is no error."""
    storage = Storage(str(tmp_path))
    day = tmp_path / "t" / "date=2015-01-01"
    day.mkdir(parents=True)
    temporary = day / "_0a.inprogress"
    temporary.write_bytes(b"another writer's file")
    then = time.time() - age_hours * 3600
    os.utime(temporary, (then, then))
    listing = os.scandir

    def listed_then_ended(folder):
        entries = list(listing(folder))
        temporary.unlink()  # its writer renames it into place, or removes it
        return iter(entries)

    monkeypatch.setattr(os, "scandir", listed_then_ended)
    storage.write_table(f"{day}/data.parquet", pa.table({"a": [1]}))
    assert storage.read_table(f"{day}/data.parquet")["a"].to_pylist() == [1]


def test_a_folder_is_cleared_of_abandoned_temporaries_once_per_storage(tmp_path, monkeypatch):
    """Many files into one folder (the GitHub answer cache) do not each list the folder again."""
    listed = []
    listing = os.scandir
    monkeypatch.setattr(os, "scandir", lambda folder: listed.append(folder) or listing(folder))
    storage = Storage(str(tmp_path))
    for name in ("a", "b", "c"):
        storage.write_table(f"{storage.root}/cache/{name}.parquet", pa.table({"a": [1]}))
    assert listed == [f"{storage.root}/cache"]
    pickle.loads(pickle.dumps(storage)).write_table(f"{storage.root}/cache/d.parquet", pa.table({}))
    assert len(listed) == 2  # another process, or the next run, clears it again


def test_local_folder_is_made_absolute_and_paths_are_hive_style(tmp_path):
    storage = Storage(str(tmp_path))
    assert storage.is_local
    assert storage.day_file("commits", dt.date(2015, 1, 2)) == (
        f"{tmp_path}/commits/date=2015-01-02/data.parquet"
    )


def test_storage_survives_pickling_without_its_filesystem(tmp_path):
    storage = Storage(str(tmp_path), endpoint_url=None)
    storage.fs  # noqa: B018  (build the cached filesystem)
    clone = pickle.loads(pickle.dumps(storage))
    assert clone == storage and clone.root == storage.root


def test_unwritable_storage_fails_before_work(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StorageError, match="cannot write to '"):
        Storage(str(blocker / "sub")).check_writable()


def test_unknown_protocol_is_a_clear_error():
    with pytest.raises(StorageError, match="cannot be opened"):
        Storage("nosuchproto://bucket/x").fs  # noqa: B018


def test_stored_days_are_the_days_with_a_day_file(tmp_path):
    storage = Storage(str(tmp_path))
    days = [dt.date(2016, 1, 1), dt.date(2016, 1, 3)]
    for day in days:
        storage.write_table(storage.day_file("events", day), pa.table({"a": [1]}))
    (tmp_path / "events" / "date=2016-01-02").mkdir()  # a folder without its file
    (tmp_path / "events" / "date=2016-01-02" / "_0a.inprogress").write_bytes(b"half")
    assert storage.stored_days("events") == set(days)
    assert storage.stored_days("commits") == set()
