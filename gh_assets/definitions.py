"""The entry point users name (`-m gh_assets.definitions`): the Dagster layer's `defs`."""

from gh_assets.defs.definitions import defs

__all__ = ["defs"]
