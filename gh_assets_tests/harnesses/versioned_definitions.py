"""The project's definitions with each table's code version suffixed by GH_ASSETS_TEST_CODE_CHANGE:
a change of code as the UI and the next run see it (tests only, loaded with `-m`)."""

import os

import dagster as dg

from gh_assets.defs.definitions import definitions_for
from gh_assets.settings import current_settings

CHANGE_VARIABLE = "GH_ASSETS_TEST_CODE_CHANGE"


def changed_code(change: str):
    """A spec's code version suffixed by `change`, as `map_asset_specs` takes it."""
    return lambda spec: spec.replace_attributes(code_version=f"{spec.code_version}{change}")


def _changed(project: dg.Definitions, change: str) -> dg.Definitions:
    return dg.Definitions(
        assets=dg.map_asset_specs(changed_code(change), project.assets),
        jobs=project.jobs,
        schedules=project.schedules,
        sensors=project.sensors,
        resources=project.resources,
        executor=project.executor,
    )


defs = _changed(definitions_for(current_settings()), os.environ.get(CHANGE_VARIABLE, ""))
