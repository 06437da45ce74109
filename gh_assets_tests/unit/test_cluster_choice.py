"""The cluster choice and every check before a cluster starts, as one pure function."""

import datetime as dt

import pytest

from gh_assets.compute.cluster_choice import (
    ClusterConfigError,
    ClusterRequest,
    WorkerRange,
    choose_cluster,
    may_read_few_files,
    scaled_workers,
    worker_range,
)
from gh_assets.compute.coiled_options import CoiledOptions


def request(
    mode="auto",
    days=1,
    token=True,
    storage="s3://bucket/tables",
    address="tcp://10.0.0.5:8786",
    **coiled,
) -> ClusterRequest:
    return ClusterRequest(
        mode=mode,
        days=days,
        coiled_threshold=7,
        coiled=CoiledOptions(**coiled),
        has_coiled_token=token,
        storage_url=storage,
        storage_is_local=not storage.startswith("s3://"),
        address=address,
    )


@pytest.mark.parametrize(
    ("mode", "days", "token", "expected", "reason"),
    [
        ("auto", 1, True, "local", "1 day(s) <= coiled_threshold=7"),
        ("auto", 7, True, "local", "7 day(s) <= coiled_threshold=7"),
        ("auto", 8, True, "coiled", "8 days > coiled_threshold=7"),
        ("auto", 8, False, "local", "8 days > coiled_threshold=7, but Coiled has no token"),
        ("local", 100, True, "local", "mode=local was asked for"),
        ("coiled", 1, True, "coiled", "mode=coiled was asked for"),
        ("address", 100, True, "address", "mode=address was asked for"),
    ],
)
def test_the_mode_and_the_days_choose_the_cluster(mode, days, token, expected, reason):
    choice = choose_cluster(request(mode, days, token))
    assert (choice.mode, choice.reason) == (expected, reason)
    assert (choice.workers is not None) == (expected == "coiled")


def test_auto_with_a_coiled_token_and_a_local_folder_stays_local_and_says_why():
    """A remote cluster cannot write to this machine's folder: a big run is not refused for it."""
    choice = choose_cluster(request("auto", 30, token=True, storage="/data/tables"))
    assert choice.mode == "local" and "tables go to a local folder" in choice.reason
    assert "/data/tables" in choice.warning and "GH_ASSETS_STORAGE=s3://" in choice.warning


def test_auto_without_coiled_credentials_warns_how_to_enable_them():
    choice = choose_cluster(request("auto", 30, token=False))
    assert "coiled login" in choice.warning and "DASK_COILED__TOKEN" in choice.warning


@pytest.mark.parametrize(
    ("settings", "message", "setting"),
    [
        (dict(mode="coiled", token=False), "Coiled has no token: run `coiled login`", None),
        (
            dict(mode="coiled", storage="/data/tables"),
            "cannot write to the local folder /data/tables: .*s3://bucket/prefix",
            "storage",
        ),
        (
            dict(mode="address", address=None),
            "mode `address` needs the scheduler's address",
            "dask_address",
        ),
        (
            dict(mode="coiled", worker_vm_types=["m6i.xlarge"], worker_memory="16GiB"),
            "coiled.worker_vm_types and coiled.worker_memory exclude each other",
            None,
        ),
        (
            dict(mode="auto", software="team/gh-assets", container="ghcr.io/acme/gh-assets"),
            "coiled.software and coiled.container exclude each other",
            None,
        ),
        (
            dict(mode="coiled", min_workers=10, max_workers=4),
            "coiled.min_workers=10 is above coiled.max_workers=4",
            None,
        ),
    ],
    ids=[
        "coiled-without-token",
        "coiled-with-a-local-folder",
        "address-without-address",
        "vm-types-with-memory",
        "software-with-container",
        "min-above-max",
    ],
)
def test_settings_that_cannot_work_are_refused_before_any_cluster(settings, message, setting):
    with pytest.raises(ClusterConfigError, match=message) as raised:
        choose_cluster(request(**settings))
    assert raised.value.setting == setting


@pytest.mark.parametrize(
    "name", ["GITHUB_TOKEN", "aws_secret_access_key", "DB_PASSWORD", "API_KEY", "GCP_CREDENTIALS"]
)
def test_worker_environment_variables_that_look_like_secrets_are_refused(name):
    with pytest.raises(ClusterConfigError, match=f"would send {name} to the workers in the clear"):
        choose_cluster(request("coiled", environ={"LOG_LEVEL": "info", name: "x"}))


def test_plain_worker_environment_variables_pass():
    choice = choose_cluster(request("coiled", environ={"LOG_LEVEL": "info", "TZ": "UTC"}))
    assert choice.mode == "coiled"


def test_coiled_options_do_not_matter_where_coiled_cannot_run():
    conflicting = dict(software="team/env", container="image", environ={"GITHUB_TOKEN": "x"})
    assert choose_cluster(request("local", **conflicting)).mode == "local"


@pytest.mark.parametrize(
    ("days", "options", "expected"),
    [
        (1, {}, WorkerRange(2, 2)),
        (9, {}, WorkerRange(2, 5)),
        (365, {}, WorkerRange(2, 40)),
        (9, {"adaptive": False}, WorkerRange(5, 5)),
        (30, {"min_workers": 1, "max_workers": 10, "days_per_worker": 1}, WorkerRange(1, 10)),
        (30, {"min_workers": 8, "max_workers": 8}, WorkerRange(8, 8)),
    ],
)
def test_coiled_workers_adapt_between_the_minimum_and_the_runs_size(days, options, expected):
    workers = worker_range(days, CoiledOptions(**options))
    assert workers == expected
    assert workers.adaptive == (expected.minimum < expected.maximum)
    assert choose_cluster(request("coiled", days, **options)).workers == expected


@pytest.mark.parametrize(("days", "expected"), [(1, 2), (4, 2), (9, 5), (365, 40)])
def test_scaled_workers(days, expected):
    assert scaled_workers(days, minimum=2, maximum=40, days_per_worker=2) == expected


TODAY = dt.date(2026, 12, 5)


@pytest.mark.parametrize(
    ("first", "last", "few"),
    [
        (TODAY, TODAY, True),
        (TODAY - dt.timedelta(days=1), TODAY - dt.timedelta(days=1), True),  # completed at 00:xx
        (TODAY - dt.timedelta(days=2), TODAY - dt.timedelta(days=2), False),
        (TODAY - dt.timedelta(days=1), TODAY, False),  # two days: at least one is read whole
    ],
)
def test_only_a_run_of_today_or_yesterday_alone_may_read_a_few_new_hours(first, last, few):
    assert may_read_few_files(first, last, TODAY) is few
