"""The deployment's run queue: the tags it gives runs and the limits it derives from them,
applied with Dagster's own counter as the daemon applies them on each look at the queue."""

import dask
import pytest
from dagster import DagsterRun
from dagster._utils.tags import TagConcurrencyLimitsCounter

from gh_assets.defs.deployment.run_queue import (
    CLUSTER_TAG,
    DAYS_TAG,
    SEEN_TAG,
    overlap_limits,
    queue_limits,
    queue_tags,
    unseen,
)
from gh_assets.settings import Settings


def day(partition: str) -> dict[str, str]:
    return {"dagster/partition": partition}


def days(first: str, last: str) -> dict[str, str]:
    return {
        "dagster/asset_partition_range_start": first,
        "dagster/asset_partition_range_end": last,
    }


def settings(**values) -> Settings:
    return Settings(storage="s3://bucket/tables", dask_mode="auto", coiled_threshold=2, **values)


def queued(name: str, tags: dict[str, str]) -> DagsterRun:
    """A run as submitted to the queue: its own tags and those the queue gives it (its status
    does not matter to the limits: the daemon says which runs are queued and which running)."""
    run = DagsterRun(job_name="__ASSET_JOB", run_id=name, tags=tags)
    return run.with_tags({**run.tags, **queue_tags(run, settings())})


def dequeue(
    queue: list[DagsterRun], running: list[DagsterRun], late: list[DagsterRun] = ()
) -> list[str]:
    """The runs the daemon starts in one look at the queue (queue_limits with the defaults): the
    limits are computed with `queue`, whose runs are then marked seen, as `RunQueue` does, and
    the daemon reads the queue after that, with the `late` runs queued in between."""
    limits = [*queue_limits(settings()), *overlap_limits(queue, running)]
    marked = {run.run_id for run in unseen(queue)}
    seen = [
        run.with_tags({**run.tags, SEEN_TAG: "true"}) if run.run_id in marked else run
        for run in queue
    ]
    counter = TagConcurrencyLimitsCounter(limits, running)
    started = []
    for run in [*seen, *late]:
        if not counter.is_blocked(run):
            counter.update_counters_with_launched_item(run)
            started.append(run.run_id)
    return started


@pytest.fixture
def coiled_token():
    with dask.config.set({"coiled.token": "fake-token"}):
        yield


def test_a_run_is_tagged_with_its_days_its_cluster_and_its_retries(coiled_token):
    assert queue_tags(
        DagsterRun(job_name="j", tags=days("2016-05-01", "2016-05-03")), settings()
    ) == {
        DAYS_TAG: "2016-05-01...2016-05-03",
        SEEN_TAG: "false",
        CLUSTER_TAG: "coiled",
        "dagster/max_retries": "2",
    }
    assert queue_tags(DagsterRun(job_name="j", tags=day("2016-05-01")), settings()) == {
        DAYS_TAG: "2016-05-01",
        SEEN_TAG: "false",
        CLUSTER_TAG: "local",
        "dagster/max_retries": "2",
    }


@pytest.mark.parametrize(
    ("queue", "running", "started"),
    [
        # two ranges sharing a day, single days inside them: the first range, and the day outside
        (
            [
                ("a", days("2016-05-01", "2016-05-03")),
                ("b", days("2016-05-03", "2016-05-05")),
                ("c", day("2016-05-02")),
                ("d", day("2016-05-06")),
            ],
            [],
            ["a", "d"],
        ),
        # a running range holds back every run that shares one of its days
        (
            [
                ("b", days("2016-05-03", "2016-05-05")),
                ("c", day("2016-05-02")),
                ("d", day("2016-05-06")),
            ],
            [("a", days("2016-05-01", "2016-05-03"))],
            ["d"],
        ),
        # one day asked twice (a sensor run and a UI run): one of them
        ([("a", day("2016-05-02")), ("b", day("2016-05-02"))], [], ["a"]),
        # the same range twice: one of them; a range held back holds back those queued after it
        # that share its days (first come, first served)
        (
            [
                ("a", days("2016-05-01", "2016-05-02")),
                ("b", days("2016-05-01", "2016-05-02")),
                ("c", days("2016-05-02", "2016-05-03")),
                ("d", day("2016-05-03")),
            ],
            [],
            ["a"],
        ),
        # runs of other days, and runs that are not of days, are not held back
        ([("a", day("2016-05-02")), ("b", {})], [("c", day("2016-05-01"))], ["a", "b"]),
    ],
    ids=["ranges-and-days", "running-range", "same-day", "same-range", "disjoint"],
)
def test_runs_that_share_a_day_never_run_together(queue, running, started):
    queue_runs = [queued(name, tags) for name, tags in queue]
    running_runs = [queued(name, tags) for name, tags in running]
    assert dequeue(queue_runs, running_runs) == started


def test_a_run_queued_after_the_limits_were_computed_waits_for_the_next_look():
    """The daemon computes the limits, then reads the queue: a run of a day queued in between
    (the sensor's, while a range that holds its day waits for a Coiled slot) is not in the
    limits, so it waits a look, then waits behind the range like any other."""
    queue = [queued("a", days("2016-05-04", "2016-05-06"))]
    late = queued("b", day("2016-05-05"))
    assert dequeue(queue, [], late=[late]) == ["a"]
    assert dequeue([late], [queue[0]]) == []  # next look: the range is running, b shares a day


def test_every_queued_run_is_started_in_turn():
    """Runs end and the queue moves on: no run waits forever for another queued one."""
    queue = [
        queued(name, tags)
        for name, tags in [
            ("a", days("2016-05-01", "2016-05-03")),
            ("b", days("2016-05-02", "2016-05-04")),
            ("c", day("2016-05-02")),
            ("d", day("2016-05-03")),
            ("e", day("2016-05-04")),
        ]
    ]
    order = []
    while queue:
        started = dequeue(queue, [])
        assert started, queue
        order.append(started)
        queue = [run for run in queue if run.run_id not in started]  # they ran and ended
    assert order == [["a"], ["b"], ["c", "d", "e"]]


def test_at_most_the_set_number_of_coiled_runs(coiled_token):
    queue = [
        queued("a", days("2016-05-01", "2016-05-03")),
        queued("b", days("2016-06-01", "2016-06-03")),
        queued("c", day("2016-07-01")),
    ]
    assert [run.tags[CLUSTER_TAG] for run in queue] == ["coiled", "coiled", "local"]
    assert dequeue(queue, []) == ["a", "c"]
