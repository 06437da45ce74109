"""`gharchive_hour_sensor`, turned on under `make dev` (webserver and daemon as users run them),
requests the runs of a growing day by itself: one when the first hours are published, one when
the last hours are, which completes the day. The archive is the loopback mirror; the day is
yesterday (UTC), whose hours have all ended whatever the time of the test."""

import datetime as dt

from gh_assets.defs.hour_sensor import hour_sensor
from gh_assets_tests.harnesses.archive_mirror import ArchiveMirror
from gh_assets_tests.harnesses.dagster_dev import RUN_DONE, DagsterServer, dagster_dev
from gh_assets_tests.harnesses.processes import wait_for
from gh_assets_tests.oracles.expected import expected_rows
from gh_assets_tests.oracles.tables_read import assert_day_matches
from gh_assets_tests.synthetic.days import FakeDay, fake_day

DAY = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
# a tick comes at most every minimum interval; a run of a small day takes well under a minute
RUN_WAIT_SECONDS = hour_sensor.minimum_interval_seconds + 180


def publish(fake: FakeDay, hours: range, mirror: ArchiveMirror) -> FakeDay:
    for hour in hours:
        (mirror.root / fake.hours[hour].source_file).write_bytes(fake.hours[hour].body())
    return FakeDay(fake.day, {h: fake.hours[h] for h in fake.hours if h < hours.stop})


def finished_run(dev: DagsterServer, run_key: str) -> dict:
    """The run of DAY the sensor requested with `run_key`, once it has ended."""

    def ended():
        runs = [run for run in dev.runs_of_day(DAY.isoformat()) if run["run_key"] == run_key]
        return runs and runs[0]["status"] in RUN_DONE and runs[0]

    run = wait_for(ended, RUN_WAIT_SECONDS, f"the sensor's run {run_key}")
    assert run["status"] == "SUCCESS", dev.run_errors(run["id"])
    return run


def test_the_hour_sensor_grows_a_day_by_itself_under_make_dev(tmp_path):
    fake = fake_day(DAY, pushes_per_hour=2, others_per_hour=2)
    (tmp_path / "mirror").mkdir()
    (tmp_path / "home").mkdir()
    storage = tmp_path / "tables"
    with (
        ArchiveMirror(tmp_path / "mirror") as mirror,
        dagster_dev(tmp_path / "home", storage, mirror, tmp_path / "dev.log") as dev,
    ):
        so_far = publish(fake, range(0, 3), mirror)
        before_the_day = dt.datetime.combine(DAY, dt.time(), dt.UTC) - dt.timedelta(hours=1)
        dev.start_sensor("gharchive_hour_sensor", cursor=before_the_day.isoformat())
        finished_run(dev, f"{DAY}-2")
        assert_day_matches(storage, DAY, *expected_rows(so_far))

        since = len(mirror.requests)
        so_far = publish(fake, range(3, 24), mirror)
        finished_run(dev, f"{DAY}-23")
        assert_day_matches(storage, DAY, *expected_rows(so_far))
        # each new hour downloaded once (a tick amid the publishing may add a run between)
        assert mirror.files_sent(since) == sorted(fake.hours[h].source_file for h in range(3, 24))
        assert len(dev.runs_of_day(DAY.isoformat())) >= 2
