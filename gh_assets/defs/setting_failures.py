"""A run that fails for a setting fails without a retry: a retry would fail the same way."""

import dagster as dg
from dagster._core.storage.tags import RETRY_ON_ASSET_OR_OP_FAILURE_TAG


def setting_failure(context: dg.AssetExecutionContext, message: str) -> dg.Failure:
    """The step's failure for `message`, which a setting must fix: neither the step nor (through
    its run's tag, read by the daemon's run retries) the run is retried."""
    context.instance.add_run_tags(context.run.run_id, {RETRY_ON_ASSET_OR_OP_FAILURE_TAG: "false"})
    return dg.Failure(message, allow_retries=False)
