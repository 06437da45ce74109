"""A run's Coiled cluster: started from the team's options, adapting, always closed.

Coiled's token stays in this process. `coiled.Cluster` ships a copy of the local dask config to
the cluster (`send_dask_config`, which also carries the workers' settings of `worker_config`), and
that copy would hold `coiled.token`. The connection to Coiled is therefore opened with the token
first, and the cluster is created while the config holds none. Coiled reads the token only when a
connection is opened, and its clusters run without one when no config is shipped at all.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import dask

from gh_assets.compute.cluster_choice import ClusterStartError, WorkerRange
from gh_assets.compute.coiled_options import CoiledOptions
from gh_assets.compute.worker_config import WORKER_DASK_CONFIG


def has_coiled_token() -> bool:
    """Whether Coiled can find a token (DASK_COILED__TOKEN or its config file, as Coiled does)."""
    import coiled  # noqa: F401  (registers Coiled's dask config defaults)

    return bool(dask.config.get("coiled.token", None))


@contextmanager
def coiled_cluster(
    options: CoiledOptions, name: str, run_id: str, workers: WorkerRange
) -> Iterator:
    """A Coiled cluster of `workers.minimum` workers, adapting up to `workers.maximum` if the
    range allows; closed (and deleted by Coiled) when the block ends."""
    connection, cluster = _start(options.cluster_kwargs(name, run_id, workers.minimum))
    try:
        if workers.adaptive:
            cluster.adapt(minimum=workers.minimum, maximum=workers.maximum)
        yield cluster
    finally:
        try:
            cluster.close()
        finally:
            connection.close()


def _start(kwargs: dict) -> tuple:
    import coiled

    started = time.monotonic()
    connection = None
    try:
        connection = coiled.Cloud(token=dask.config.get("coiled.token"))
        with dask.config.set({**WORKER_DASK_CONFIG, "coiled.token": None}):
            return connection, coiled.Cluster(cloud=connection, **kwargs)
    except Exception as exc:
        if connection is not None:
            connection.close()
        raise ClusterStartError(
            f"the Coiled cluster {kwargs['name']} did not start after "
            f"{time.monotonic() - started:.0f}s: {type(exc).__name__}: {exc}"
        ) from exc
