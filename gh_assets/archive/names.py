"""The archive's calendar and file names: one `YYYY-MM-DD-H.json.gz` per hour since 2011-02-12."""

from __future__ import annotations

import datetime as dt

FIRST_DAY = dt.date(2011, 2, 12)
HOURS_PER_DAY = 24


def hour_filename(day: dt.date, hour: int) -> str:
    """The archive's name for one hour: `2015-01-01-0.json.gz` (the hour is not zero-padded)."""
    return f"{day:%Y-%m-%d}-{hour}.json.gz"


def day_filenames(day: dt.date) -> list[str]:
    """The 24 hourly file names of a UTC day, hour 0 to 23."""
    return [hour_filename(day, hour) for hour in range(HOURS_PER_DAY)]


def filename_hour(filename: str) -> int:
    """The hour in a file's name: 23 for `2015-01-01-23.json.gz`."""
    return int(filename.removesuffix(".json.gz").rsplit("-", 1)[1])
