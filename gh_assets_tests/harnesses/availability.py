"""Services a test needs: skipped where they cannot run, a failure when CI=true."""

import os

import pytest


def require_service(available: bool, reason: str) -> None:
    """Skip when a service cannot run here; under CI=true that is a failure instead."""
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: services must run, not skip)")
    pytest.skip(reason)
