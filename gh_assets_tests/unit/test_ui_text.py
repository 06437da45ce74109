"""Texts the Dagster UI shows unrendered are plain: no Markdown backticks shown literally.

The catalog lists asset descriptions as plain text, and the column schemas, the schedule and sensor
pages and the resource view (every config field, nested ones too) show theirs the same way.
"""

import pytest

from gh_assets.definitions import defs
from gh_assets.defs.resources import ArchiveResource, DaskResource, StorageResource
from gh_assets.defs.resources.github import GitHubResource
from gh_assets.tables.catalogue import TABLES


def ui_texts() -> dict[str, str]:
    texts = {}
    for table in TABLES:
        texts[table.name] = table.description
        texts |= {f"{table.name}.{column.name}": column.description for column in table.columns}
    for automation in [*defs.schedules, *defs.sensors]:
        texts[automation.name] = automation.description
    for resource in (ArchiveResource, StorageResource, DaskResource, GitHubResource):
        texts |= config_descriptions(resource.__name__, resource.to_config_schema().as_field())
    return texts


def config_descriptions(path: str, field) -> dict[str, str]:
    """The description of every config field under `field`, nested ones too, by dotted path."""
    texts = {}
    for name, child in (getattr(field.config_type, "fields", None) or {}).items():
        texts[f"{path}.{name}"] = child.description or ""
        texts |= config_descriptions(f"{path}.{name}", child)
    return texts


TEXTS = ui_texts()


@pytest.mark.parametrize("what", sorted(TEXTS))
def test_text_shown_unrendered_has_no_backticks(what: str) -> None:
    assert "`" not in TEXTS[what], TEXTS[what]


def test_the_texts_cover_every_asset() -> None:
    assets = defs.assets
    keys = {key.to_user_string() for asset in assets for key in asset.keys}
    assert keys == {table.name for table in TABLES}
