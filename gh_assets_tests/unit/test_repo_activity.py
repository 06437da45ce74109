"""`repo_activity` computed by DuckDB from a day's `events` file, without an asset around it."""

import datetime as dt
import warnings

from gh_assets.compute.repo_activity import write_repo_activity
from gh_assets.reading.events_table import EventsTableBuilder
from gh_assets.tables.catalogue import EVENTS
from gh_assets.tables.storage import Storage
from gh_assets_tests.gharchive_samples import MIXED_SMALL, sample_lines
from gh_assets_tests.oracles.events_oracle import assert_events_and_activity, oracle_rows_of_lines


def test_activity_of_a_folder_whose_name_quotes_sql_counts_the_events_without_warnings(tmp_path):
    root = tmp_path / "it's'; SELECT 1; --"
    storage = Storage(str(root))
    day, source_file = dt.date(2015, 1, 1), "2015-01-01-5.json.gz"
    lines = sample_lines(MIXED_SMALL)
    events = EventsTableBuilder(source_file).table(lines, valid_utf8=True)
    storage.write_table(storage.day_file(EVENTS.name, day), events)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # DuckDB warns of an extra copy of the rows
        written = write_repo_activity(storage, day)
    activity = assert_events_and_activity(root, day, oracle_rows_of_lines({source_file: lines}))
    assert written.repos == len(activity) > 10
