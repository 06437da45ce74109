"""The Dagster UI in a real headless Chromium: materialize one partition, then backfill three days.

`dagster dev` runs on a loopback archive mirror holding one real hour (2015-01-01-1), also served as
hour 1 of 2015-01-02 and 2015-01-03. Screenshots go to test-artifacts/, with dagster-dev.log.
Needs Debian's chromium (`apt-get install -y chromium`): skipped without it, failed when CI=true.
"""

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from playwright.sync_api import Browser, Locator, Page, Response, expect, sync_playwright

from gh_assets_tests.gharchive_samples import REAL_HOUR, install_sample
from gh_assets_tests.harnesses.archive_mirror import ArchiveMirror
from gh_assets_tests.harnesses.availability import require_service
from gh_assets_tests.harnesses.dagster_dev import REPO, RUN_DONE, DagsterDev, dagster_dev
from gh_assets_tests.harnesses.processes import process_group, wait_for

ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DAYS = ("2015-01-01", "2015-01-02", "2015-01-03")
REAL_HOUR_COMMITS = 7642
UI_TIMEOUT_MS = 30_000  # for one page to load or react; the machine may be busy
TABLES = ("gharchive_manifest", "push_events", "commits")
BACKFILL_BUSY = {"REQUESTED", "CANCELING", "FAILING"}


@pytest.fixture(scope="session", autouse=True)
def chromium() -> Path:
    """Debian's Chromium, checked before anything starts (Playwright cannot download one here)."""
    require_service(CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install -y chromium")
    return CHROMIUM


@pytest.fixture(scope="session")
def dagster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DagsterDev]:
    """`dagster dev` reading a mirror of the real hour (as hour 1 of each of DAYS)."""
    ARTIFACTS.mkdir(exist_ok=True)
    mirror_root = tmp_path_factory.mktemp("archive")
    for day in DAYS:
        install_sample(REAL_HOUR, mirror_root, f"{day}-1.json.gz")
    home, storage = tmp_path_factory.mktemp("dagster_home"), tmp_path_factory.mktemp("storage")
    with (
        ArchiveMirror(mirror_root) as mirror,
        dagster_dev(home, storage, mirror, ARTIFACTS / "dagster-dev.log") as dev,
    ):
        yield dev


@pytest.fixture(scope="session")
def browser(chromium: Path) -> Iterator[Browser]:
    expect.set_options(timeout=UI_TIMEOUT_MS)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, device_scale_factor=2)
    context.set_default_timeout(UI_TIMEOUT_MS)
    yield context.new_page()
    context.close()


def screenshot(page: Page, name: str, clip: dict | None = None) -> None:
    """Save the page to test-artifacts/ once its icons and live data have arrived."""
    page.wait_for_load_state("networkidle")
    page.screenshot(path=ARTIFACTS / name, clip=clip)


def graphql_operation(name: str) -> Callable[[Response], bool]:
    """Matches the UI's response to one GraphQL operation (a launch mutation)."""

    def matches(response: Response) -> bool:
        request = response.request
        return (
            "/graphql" in request.url
            and (request.post_data_json or {}).get("operationName") == name
        )

    return matches


def open_asset_graph(page: Page, dagster: DagsterDev) -> Locator:
    """Open the lineage graph from the navigation, once its three nodes have loaded."""
    page.goto(dagster.url)
    page.get_by_role("link", name="Lineage").click()
    nodes = page.locator("foreignObject")
    expect(nodes).to_have_count(len(TABLES))
    for table in TABLES:
        expect(nodes.filter(has_text=table)).to_be_visible()
    expect(page.get_by_text(re.compile(r"^[\d,]+ partitions$"))).to_have_count(len(TABLES))
    return nodes


def graph_clip(nodes: Locator, padding: float = 24) -> dict:
    """The part of the page that holds the graph's nodes."""
    boxes = [node.bounding_box() for node in nodes.all()]
    left = min(box["x"] for box in boxes) - padding
    top = min(box["y"] for box in boxes) - padding
    right = max(box["x"] + box["width"] for box in boxes) + padding
    bottom = max(box["y"] + box["height"] for box in boxes) + padding
    return {"x": left, "y": top, "width": right - left, "height": bottom - top}


def open_launch_dialog(page: Page, button: str) -> Locator:
    """Click a materialize button and accept Dagster's notices until the launch dialog shows."""
    page.get_by_role("button", name=button).click()
    dialog = page.get_by_role("dialog")
    for _ in range(3):
        expect(dialog).to_have_count(1)
        heading = dialog.inner_text().splitlines()[0]
        if heading.startswith("Launch runs to materialize"):
            return dialog
        dialog.get_by_role("button", name="Confirm").click()
        expect(dialog.filter(has_text=heading)).to_have_count(0)
    raise AssertionError(f"no launch dialog after {button!r}: {heading!r}")


def select_partitions(dialog: Locator, selection: str, count: int) -> None:
    """Type a partition selection (`2015-01-01` or `[a...b]`) over all time."""
    partitions = dialog.get_by_placeholder("ex: ")
    last_90_days = dialog.get_by_placeholder("No matching partitions")
    expect(partitions.or_(last_90_days)).to_be_visible()
    if last_90_days.count():
        dialog.get_by_text("Show all partitions").click()
    partitions.fill(selection)
    partitions.press("Enter")
    plural = "partition" if count == 1 else "partitions"
    expect(dialog.get_by_text(f"{count} {plural}", exact=True)).to_be_visible()


def commit_rows(dagster: DagsterDev, day: str) -> int:
    return pq.read_metadata(dagster.storage / "commits" / f"date={day}" / "data.parquet").num_rows


def test_asset_graph_shows_the_three_tables(page: Page, dagster: DagsterDev) -> None:
    nodes = open_asset_graph(page, dagster)
    screenshot(page, "01-asset-graph.png", clip=graph_clip(nodes))


def test_materialize_one_commits_partition_from_its_asset_page(
    page: Page, dagster: DagsterDev
) -> None:
    page.goto(f"{dagster.url}/assets/commits")
    dialog = open_launch_dialog(page, "Materialize…")
    select_partitions(dialog, DAYS[0], count=1)
    screenshot(page, "02-materialize-dialog.png")
    with page.expect_response(graphql_operation("LaunchPipelineExecution")) as launched:
        dialog.get_by_role("button", name="Launch 1 run").click()
    result = launched.value.json()["data"]["launchPipelineExecution"]
    assert result["__typename"] == "LaunchRunSuccess", json.dumps(result)
    run_id = result["run"]["id"]
    expect(page.get_by_text(f"Launched run {run_id[:8]}")).to_be_visible()
    dagster.wait_for_run(run_id)

    page.goto(f"{dagster.url}/assets/commits?view=partitions&partition={DAYS[0]}")
    page.get_by_placeholder("ex: ").fill("[2014-12-29...2015-01-06]")
    page.get_by_placeholder("ex: ").press("Enter")
    expect(page.get_by_text("Materialized", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=run_id[:8])).to_be_visible()
    row_count = page.get_by_role("row").filter(has_text="dagster/row_count")
    expect(row_count).to_contain_text(str(REAL_HOUR_COMMITS))
    screenshot(page, "03-commits-partition.png")
    assert commit_rows(dagster, DAYS[0]) == REAL_HOUR_COMMITS


def test_backfill_three_days_from_the_asset_graph_is_one_run(
    page: Page, dagster: DagsterDev
) -> None:
    open_asset_graph(page, dagster)
    dialog = open_launch_dialog(page, "Materialize all…")
    select_partitions(dialog, f"[{DAYS[0]}...{DAYS[-1]}]", count=len(DAYS))
    screenshot(page, "04-backfill-dialog.png")
    with page.expect_response(graphql_operation("LaunchPartitionBackfill")) as launched:
        dialog.get_by_role("button", name="Launch backfill").click()
    result = launched.value.json()["data"]["launchPartitionBackfill"]
    assert result["__typename"] == "LaunchBackfillSuccess", json.dumps(result)
    backfill_id = result["backfillId"]
    backfill = wait_for(
        lambda: (state := dagster.backfill(backfill_id))["status"] not in BACKFILL_BUSY and state,
        timeout=300,
        what=f"backfill {backfill_id} to finish",
    )
    assert len(backfill["runs"]) == 1, backfill  # BackfillPolicy.single_run()
    [run] = backfill["runs"]
    assert backfill["status"] == "COMPLETED_SUCCESS", (backfill, dagster.run_errors(run["id"]))
    assert run["status"] == "SUCCESS"
    tags = {tag["key"]: tag["value"] for tag in run["tags"]}
    assert tags["dagster/asset_partition_range_start"] == DAYS[0]
    assert tags["dagster/asset_partition_range_end"] == DAYS[-1]

    page.goto(f"{dagster.url}/runs/b/{backfill_id}")
    expect(page.get_by_text("Succeeded", exact=True).first).to_be_visible()
    expect(page.get_by_text(f"{DAYS[0]}...{DAYS[-1]}")).to_be_visible()
    expect(page.get_by_text("100% completed")).to_have_count(len(TABLES))
    screenshot(page, "05-backfill-succeeded.png")
    nodes = open_asset_graph(page, dagster)
    screenshot(page, "06-asset-graph-after-backfill.png", clip=graph_clip(nodes))

    for table in TABLES:
        for day in DAYS:
            assert (dagster.storage / table / f"date={day}" / "data.parquet").is_file()
    assert [commit_rows(dagster, day) for day in DAYS] == [REAL_HOUR_COMMITS] * len(DAYS)


LAUNCH_BACKFILL = (
    "mutation($p: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $p) "
    "{ __typename ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message } } }"
)


def backfill_by_graphql(dagster: DagsterDev, start: str, end: str) -> dict:
    """Launch the README's `launchPartitionBackfill` call over all tables; wait for its end."""
    days = {"start": start, "end": end}
    params = {
        "partitionsByAssets": [
            {"assetKey": {"path": [table]}, "partitions": {"range": days}} for table in TABLES
        ]
    }
    result = dagster.graphql(LAUNCH_BACKFILL, p=params)["launchPartitionBackfill"]
    assert result["__typename"] == "LaunchBackfillSuccess", result
    return wait_for(
        lambda: (
            (state := dagster.backfill(result["backfillId"]))["status"] not in BACKFILL_BUSY
            and state
        ),
        timeout=300,
        what=f"the scripted backfill {start}...{end} to finish",
    )


def test_backfill_from_a_script_with_the_readme_graphql_call(dagster: DagsterDev) -> None:
    """The `launchPartitionBackfill` call the README shows, for a range of two days."""
    backfill = backfill_by_graphql(dagster, DAYS[1], DAYS[2])
    assert backfill["status"] == "COMPLETED_SUCCESS", backfill
    assert [run["status"] for run in backfill["runs"]] == ["SUCCESS"]


def materialization_count(dagster: DagsterDev, table: str) -> int:
    data = dagster.graphql(
        "query($key: AssetKeyInput!) { assetOrError(assetKey: $key) { ... on Asset { "
        "assetMaterializations(limit: 100) { timestamp } } } }",
        key={"path": [table]},
    )
    return len(data["assetOrError"]["assetMaterializations"])


def test_numeric_metadata_plots_over_materializations(page: Page, dagster: DagsterDev) -> None:
    """Plots > Events graphs each numeric figure over the asset's materializations.

    Plots > Partitions only covers the newest 120 days of the partition set (the UI's limit), so
    the 2015 days materialized here show there as empty; the Events view is the one over time.
    """
    while materialization_count(dagster, "push_events") < 2:
        assert backfill_by_graphql(dagster, DAYS[0], DAYS[0])["status"] == "COMPLETED_SUCCESS"
    page.goto(f"{dagster.url}/assets/push_events")
    page.get_by_role("button", name="Plots").click()
    page.get_by_role("button", name="Events").click()
    figures = ("dagster/row_count", "pushes_without_commit_list", "hours_missing", "run_seconds")
    for figure in figures:
        expect(page.get_by_text(figure, exact=True)).to_be_visible()
    expect(page.get_by_text("Asset plots are automatically generated")).to_have_count(0)
    assert page.locator("canvas").count() >= len(figures)
    page.get_by_text(figures[1], exact=True).scroll_into_view_if_needed()
    screenshot(page, "07-push-events-plots.png")


def test_a_run_terminated_mid_day_closes_its_cluster_and_keeps_the_old_day(
    dagster: DagsterDev,
) -> None:
    """Terminate a run while its hour stalls: the published day stays whole, no worker remains."""
    day, name = DAYS[1], f"{DAYS[1]}-1.json.gz"
    day_file = dagster.storage / "commits" / f"date={day}" / "data.parquet"
    before = day_file.read_bytes()
    dagster.mirror.add_faults(name, "stall")
    params = {
        "partitionsByAssets": [
            {"assetKey": {"path": [table]}, "partitions": {"range": {"start": day, "end": day}}}
            for table in TABLES
        ]
    }
    backfill_id = dagster.graphql(LAUNCH_BACKFILL, p=params)["launchPartitionBackfill"][
        "backfillId"
    ]
    wait_for(
        lambda: any(r.fault == "stall" and name in r.path for r in dagster.mirror.requests),
        timeout=180,
        what="the run to reach the stalled hour",
    )
    [run] = dagster.backfill(backfill_id)["runs"]
    terminated = dagster.graphql(
        "mutation($id: String!) { terminateRun(runId: $id) { __typename } }", id=run["id"]
    )
    assert terminated["terminateRun"]["__typename"] == "TerminateRunSuccess", terminated
    status = wait_for(
        lambda: (status := dagster.run_status(run["id"])) in RUN_DONE and status,
        timeout=120,
        what="the terminated run to end",
    )
    assert status == "CANCELED"
    wait_for(
        lambda: not [p for p in process_group(dagster.pgid) if "spawn_main" in p],
        timeout=60,
        what="the run's Dask worker processes to end",
    )
    assert day_file.read_bytes() == before
    assert [path.name for path in day_file.parent.iterdir()] == ["data.parquet"]
