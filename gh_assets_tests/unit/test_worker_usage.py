"""Peak workers and worker-minutes from samples of the worker count."""

import pytest

from gh_assets.compute.worker_usage import WorkerUsage, worker_usage


@pytest.mark.parametrize(
    ("samples", "expected"),
    [
        ([], WorkerUsage(0, 0)),
        ([(0, 3)], WorkerUsage(3, 0)),
        ([(0, 2), (60, 2)], WorkerUsage(2, 2)),
        # 2 workers for a minute, 10 for two, 1 for half a minute: the last count has no span
        ([(0, 2), (60, 10), (180, 1), (210, 7)], WorkerUsage(10, 22.5)),
    ],
)
def test_each_count_holds_until_the_next_sample(samples, expected):
    assert worker_usage(samples) == expected
