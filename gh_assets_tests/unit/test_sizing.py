"""The Coiled sizing tool's model (`bench/sizing.py`) keeps its own rules."""

import argparse

import pytest

from bench.sizing import DEFAULT_CPU_S_PER_MB, PUBLISH_CPU_S_PER_MB, advised_workers, era_of, plan

ERA = era_of(2021, DEFAULT_CPU_S_PER_MB)


def arguments(**overrides) -> argparse.Namespace:
    values = dict(vcpus=4, download_mb_s=40.0, start_s=150.0, archive_mb_s=None)
    return argparse.Namespace(**{**values, **overrides})


def test_workers_beyond_the_files_only_add_cost():
    days, vcpus = 2, 4
    useful = 24 * days // vcpus
    enough = plan(ERA, days, useful, vcpus, 40.0, 150.0, 0.1, 0.1)
    more = plan(ERA, days, 2 * useful, vcpus, 40.0, 150.0, 0.1, 0.1)
    assert more.minutes == pytest.approx(enough.minutes)
    assert more.usd > enough.usd
    assert more.busy_threads == enough.busy_threads == 24 * days


def test_the_slower_of_cpu_and_download_sets_the_pace():
    days, workers, vcpus = 30, 10, 4
    rounds = -(-24 * days // (workers * vcpus))
    publish_s = 24 * ERA.hour_mb * PUBLISH_CPU_S_PER_MB
    cpu_mb_s = ERA.hour_mb / ERA.file_cpu_s  # one thread's transform rate
    for download_mb_s, bound, file_s in (
        (cpu_mb_s, "network", ERA.hour_mb * vcpus / cpu_mb_s),  # shared by the vCPUs' threads
        (100 * cpu_mb_s, "CPU", ERA.file_cpu_s),
    ):
        paced = plan(ERA, days, workers, vcpus, download_mb_s, 0.0, 0.0, 0.0)
        assert paced.bound == bound
        assert paced.minutes * 60 == pytest.approx(rounds * file_s + publish_s)


def test_the_archive_rate_caps_the_whole_cluster():
    capped = plan(ERA, 30, 100, 4, 1000.0, 0.0, 0.0, 0.0, archive_mb_s=50.0)
    assert capped.bound == "archive"
    assert capped.minutes * 60 >= 24 * 30 * ERA.hour_mb / 50.0


@pytest.mark.parametrize("days", [1, 30, 365])
def test_advice_stays_within_useful_workers(days):
    args = arguments()
    advised = advised_workers(ERA, days, args)
    assert 1 <= advised <= -(-24 * days // args.vcpus)
    fed = advised_workers(ERA, days, arguments(archive_mb_s=80.0))
    assert fed <= -(-80.0 // args.download_mb_s)
