"""Whether a run rebuilds the days that are up to date, as a resource its run config can set."""

import dagster as dg

from gh_assets.settings import setting_field


class RebuildResource(dg.ConfigurableResource):
    """Days up to date (built by this code from the hour files the manifest lists, their files in
    storage) are recorded again without any download; `force` rebuilds them too. Per run, in the
    launchpad: `resources: {rebuild: {config: {force: true}}}`."""

    force: bool = setting_field("force_rebuild")
