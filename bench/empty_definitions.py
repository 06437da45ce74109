"""One asset that does nothing: `bench.hourly` times a run of it, the floor of any Dagster run
(on the in-process executor, as gh_assets' runs are)."""

import dagster as dg


@dg.asset
def nothing() -> None:
    """Does no work: a run of it costs what every run from a fresh process costs."""


defs = dg.Definitions(assets=[nothing], executor=dg.in_process_executor)
