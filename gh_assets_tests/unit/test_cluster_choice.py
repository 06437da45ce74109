import pytest

from gh_assets.compute.cluster_choice import ClusterConfigError, choose_cluster, scaled_workers


@pytest.mark.parametrize(
    ("mode", "days", "configured", "expected"),
    [
        ("auto", 1, True, "local"),
        ("auto", 7, True, "local"),
        ("auto", 8, True, "coiled"),
        ("auto", 8, False, "local"),
        ("local", 100, True, "local"),
        ("coiled", 1, False, "coiled"),
        ("address", 1, False, "address"),
    ],
)
def test_choose_cluster(mode, days, configured, expected):
    choice = choose_cluster(mode, days, coiled_threshold=7, coiled_configured=configured)
    assert choice.mode == expected
    assert choice.reason


def test_auto_without_coiled_credentials_warns_how_to_enable_them():
    choice = choose_cluster("auto", 30, coiled_threshold=7, coiled_configured=False)
    assert "coiled login" in choice.warning and "DASK_COILED__TOKEN" in choice.warning


def test_unknown_mode_says_which_modes_exist():
    with pytest.raises(ClusterConfigError, match="auto, local, coiled, address"):
        choose_cluster("kubernetes", 1, coiled_threshold=7, coiled_configured=False)


@pytest.mark.parametrize(("days", "expected"), [(1, 2), (4, 2), (9, 5), (365, 40)])
def test_scaled_workers(days, expected):
    assert scaled_workers(days, minimum=2, maximum=40, days_per_worker=2) == expected
