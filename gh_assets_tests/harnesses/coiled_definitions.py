"""The project's definitions with Coiled's cloud replaced by `fake_coiled` (for CLI tests)."""

from gh_assets_tests.harnesses import fake_coiled

fake_coiled.install()

from gh_assets.definitions import defs  # noqa: E402

__all__ = ["defs"]
