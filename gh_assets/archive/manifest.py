"""A day's manifest: what the archive said of each of its 24 hourly files, as the table's rows."""

from __future__ import annotations

import pyarrow as pa

from gh_assets.archive.names import filename_hour
from gh_assets.archive.source import HourFile
from gh_assets.tables.arrays import array
from gh_assets.tables.catalogue import MANIFEST


def manifest_table(files: list[HourFile]) -> pa.Table:
    """One row per hourly file of a day, from what the archive said of it (arrays built from
    buffers: `pa.Table.from_pylist` would import pandas, see `tables.arrays`)."""
    columns = {
        "hour": [filename_hour(file.filename) for file in files],
        **{
            name: [getattr(file, name) for file in files]
            for name in MANIFEST.schema.names
            if name != "hour"
        },
    }
    return pa.Table.from_arrays(
        [array(columns[field.name], field.type) for field in MANIFEST.schema],
        schema=MANIFEST.schema,
    )
