"""The Dagster UI in a real headless Chromium, along the README's steps, with `make dev` running.

The archive is a loopback mirror of three days with different contents: 2015-01-01 holds one real
hour, 2015-01-02 has no file at all, 2015-01-03 is a generated damaged day. The tests walk the
README's UI steps as written (one day and a historical range from the asset graph, the sensor and
schedule pages) and fail on any dialog the README does not mention; after the range run each
day's partition must show its own figures, in the UI and through GraphQL. Screenshots go to
test-artifacts/ (those named in DOCS_IMAGES are the README's images), with dagster-dev.log.
Needs Debian's chromium (`apt-get install -y chromium`): skipped without it, failed when CI=true.
"""

import datetime as dt
import json
import os
import re
import subprocess
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from playwright.sync_api import Browser, Locator, Page, Response, expect, sync_playwright

from gh_assets_tests.gharchive_samples import REAL_HOUR, install_sample, sample_lines
from gh_assets_tests.harnesses.archive_mirror import ArchiveMirror
from gh_assets_tests.harnesses.availability import require_service
from gh_assets_tests.harnesses.dagster_dev import REPO, RUN_DONE, DagsterServer, dagster_dev
from gh_assets_tests.harnesses.processes import process_group, wait_for
from gh_assets_tests.oracles.expected import expected_accounting, expected_rows
from gh_assets_tests.oracles.gharchive_reference import reference_rows
from gh_assets_tests.oracles.tables_read import top_repos_figure
from gh_assets_tests.synthetic.days import FakeDay, fake_damaged_day

ARTIFACTS = REPO / "test-artifacts"
DOCS_IMAGES = {  # artifact -> the README's image in docs/images/ it is copied to
    "06-asset-graph-after-range.png": "asset-graph.png",
    "03-commits-partition.png": "commits-partition.png",
    "08-empty-day-check.png": "empty-day-check.png",
    "10-push-events-plots.png": "push-events-plots.png",
}
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
REAL_DAY, EMPTY_DAY, DAMAGED_DAY = "2015-01-01", "2015-01-02", "2015-01-03"
DAYS = (REAL_DAY, EMPTY_DAY, DAMAGED_DAY)
UI_TIMEOUT_MS = 30_000  # for one page to load or react; the machine may be busy
TABLES = ("gharchive_manifest", "push_events", "commits", "events", "repo_activity", "api_commits")
LAUNCH_DIALOG = f"Launch runs to materialize {len(TABLES)} assets"


def damaged_day() -> FakeDay:
    fake = fake_damaged_day(dt.date.fromisoformat(DAMAGED_DAY))
    del fake.hours[7]  # a body that stays not gzip fails its day (see test_archive)
    return fake


def expected_days() -> dict[str, dict]:
    """Each day's figures, read independently of the pipeline: rows, hours missing, top repos."""
    real_pushes, real_commits = reference_rows(sample_lines(REAL_HOUR), f"{REAL_DAY}-1.json.gz")
    fake = damaged_day()
    fake_pushes, fake_commits = expected_rows(fake)
    assert expected_accounting(fake).push_events == len(fake_pushes)
    days = {
        REAL_DAY: (real_pushes, real_commits, 23),
        EMPTY_DAY: ([], [], 24),
        DAMAGED_DAY: (fake_pushes, fake_commits, 24 - len(fake.hours)),
    }
    return {
        day: {
            "pushes": len(pushes),
            "commits": len(commits),
            "hours_missing": missing,
            "top_repos": top_repos(Counter(row["repo"] for row in pushes)),
        }
        for day, (pushes, commits, missing) in days.items()
    }


def top_repos(pushes_by_repo: Counter) -> dict[str, int]:
    """The ten most pushed-to repositories, ties by name, as the pipeline ranks them."""
    return dict(sorted(pushes_by_repo.items(), key=lambda item: (-item[1], item[0]))[:10])


@pytest.fixture(scope="session", autouse=True)
def chromium() -> Path:
    """Debian's Chromium, checked before anything starts (Playwright cannot download one here)."""
    require_service(CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install -y chromium")
    return CHROMIUM


@pytest.fixture(scope="session")
def dagster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DagsterServer]:
    """`make dev` reading a mirror of the three days."""
    ARTIFACTS.mkdir(exist_ok=True)
    mirror_root = tmp_path_factory.mktemp("archive")
    install_sample(REAL_HOUR, mirror_root, f"{REAL_DAY}-1.json.gz")
    damaged_day().write(mirror_root)
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


def navigate(page: Page, dagster: DagsterServer, entry: str) -> None:
    """Open the UI and click an entry of its navigation, as the README names it."""
    page.goto(dagster.url)
    page.get_by_role("link", name=re.compile(rf"(^|\s){entry}$")).click()


def open_asset_graph(page: Page, dagster: DagsterServer) -> Locator:
    """*Lineage* in the navigation, once all the graph's nodes have loaded."""
    navigate(page, dagster, "Lineage")
    nodes = page.locator("foreignObject")
    expect(nodes).to_have_count(len(TABLES))
    for table in TABLES:
        expect(nodes.filter(has=page.get_by_text(table, exact=True))).to_be_visible()
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


def open_launch_dialog(page: Page) -> Locator:
    """*Materialize all…* on the graph: the launch dialog must be the only dialog that opens."""
    page.get_by_role("button", name="Materialize all…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_have_count(1)
    expect(dialog.get_by_text(LAUNCH_DIALOG, exact=True)).to_be_visible()
    return dialog


def select_partitions(dialog: Locator, selection: str, count: int) -> None:
    """The README's steps: *Show all partitions* (the dialog offers the last 90 days), then
    type the day or range in the partition field and press Enter."""
    expect(dialog.get_by_text("Showing the last 90 days")).to_be_visible()
    dialog.get_by_text("Show all partitions").click()
    expect(dialog.get_by_role("button", name="All time")).to_be_visible()
    partitions = dialog.get_by_placeholder("ex: ")
    partitions.fill(selection)
    partitions.press("Enter")
    plural = "partition" if count == 1 else "partitions"
    expect(dialog.get_by_text(f"{count} {plural}", exact=True)).to_be_visible()


def metadata_value(page: Page, label: str) -> Locator:
    """The value cell of one entry of the metadata table on the page."""
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=label, exact=True))
    return row.get_by_role("cell").nth(1)


def open_partition(page: Page, dagster: DagsterServer, table: str, day: str) -> None:
    """An asset's *Partitions* tab (all days since 2011) with one day picked."""
    page.goto(f"{dagster.url}/assets/{table}?view=partitions&partition={day}")
    expect(page.get_by_text("Latest materialization")).to_be_visible()
    expect(metadata_value(page, "dagster/row_count")).to_be_visible()


def commit_rows(dagster: DagsterServer, day: str) -> int:
    return pq.read_metadata(dagster.storage / "commits" / f"date={day}" / "data.parquet").num_rows


def test_asset_graph_shows_every_table(page: Page, dagster: DagsterServer) -> None:
    nodes = open_asset_graph(page, dagster)
    screenshot(page, "01-asset-graph.png", clip=graph_clip(nodes))


def test_one_day_from_the_asset_graph_as_the_readme_says(
    page: Page, dagster: DagsterServer
) -> None:
    open_asset_graph(page, dagster)
    dialog = open_launch_dialog(page)
    select_partitions(dialog, REAL_DAY, count=1)
    screenshot(page, "02-one-day-dialog.png")
    with page.expect_response(graphql_operation("LaunchPipelineExecution")) as launched:
        dialog.get_by_role("button", name="Launch 1 run").click()
    result = launched.value.json()["data"]["launchPipelineExecution"]
    assert result["__typename"] == "LaunchRunSuccess", json.dumps(result)
    run_id = result["run"]["id"]
    expect(page.get_by_text(f"Launched run {run_id[:8]}")).to_be_visible()
    dagster.wait_for_run(run_id)

    expected = expected_days()[REAL_DAY]
    open_partition(page, dagster, "commits", REAL_DAY)
    expect(page.get_by_role("link", name=run_id[:8])).to_be_visible()
    expect(metadata_value(page, "dagster/row_count")).to_have_text(str(expected["commits"]))
    expect(metadata_value(page, "run_days")).to_have_text("1")
    screenshot(page, "03-commits-partition.png")
    assert commit_rows(dagster, REAL_DAY) == expected["commits"]


PARTITION_FIGURES = """
query($key: AssetKeyInput!, $partitions: [String!]) { assetNodeOrError(assetKey: $key) {
  ... on AssetNode { latestMaterializationByPartition(partitions: $partitions) {
    partition runOrError { ... on Run { id } }
    metadataEntries { label ... on IntMetadataEntry { intValue }
      ... on MarkdownMetadataEntry { mdStr } ... on PathMetadataEntry { path } } } } } }
"""
CHECK_EXECUTIONS = """
query($key: AssetKeyInput!, $check: String!) {
  assetCheckExecutions(assetKey: $key, checkName: $check, limit: 10) {
    partition status runId evaluation { severity description success } } }
"""


def partition_figures(dagster: DagsterServer, table: str) -> dict[str, dict]:
    """Each day's latest materialization through GraphQL: its run and its metadata."""
    data = dagster.graphql(PARTITION_FIGURES, key={"path": [table]}, partitions=list(DAYS))
    return {
        entry["partition"]: {
            "run_id": entry["runOrError"]["id"],
            **{
                meta["label"]: meta.get("intValue", meta.get("mdStr", meta.get("path")))
                for meta in entry["metadataEntries"]
            },
        }
        for entry in data["assetNodeOrError"]["latestMaterializationByPartition"]
    }


def test_a_historical_range_is_one_run_and_each_day_keeps_its_own_figures(
    page: Page, dagster: DagsterServer
) -> None:
    open_asset_graph(page, dagster)
    dialog = open_launch_dialog(page)
    select_partitions(dialog, f"[{REAL_DAY}...{DAMAGED_DAY}]", count=len(DAYS))
    screenshot(page, "04-range-dialog.png")
    with page.expect_response(graphql_operation("LaunchPartitionBackfill")) as launched:
        dialog.get_by_role("button", name="Launch backfill").click()
    result = launched.value.json()["data"]["launchPartitionBackfill"]
    assert result["__typename"] == "LaunchBackfillSuccess", json.dumps(result)
    backfill = dagster.wait_for_backfill(result["backfillId"])
    assert len(backfill["runs"]) == 1, backfill  # BackfillPolicy.single_run()
    [run] = backfill["runs"]
    assert backfill["status"] == "COMPLETED_SUCCESS", (backfill, dagster.run_errors(run["id"]))
    tags = {tag["key"]: tag["value"] for tag in run["tags"]}
    assert (
        tags["dagster/asset_partition_range_start"],
        tags["dagster/asset_partition_range_end"],
    ) == (
        REAL_DAY,
        DAMAGED_DAY,
    )
    page.goto(f"{dagster.url}/runs/b/{result['backfillId']}")
    expect(page.get_by_text("Succeeded", exact=True).first).to_be_visible()
    expect(page.get_by_text("100% completed")).to_have_count(len(TABLES))
    screenshot(page, "05-range-succeeded.png")
    nodes = open_asset_graph(page, dagster)
    screenshot(page, "06-asset-graph-after-range.png", clip=graph_clip(nodes))

    expected = expected_days()
    pushes, commits = (
        partition_figures(dagster, "push_events"),
        partition_figures(dagster, "commits"),
    )
    manifest = partition_figures(dagster, "gharchive_manifest")
    for day in DAYS:
        want = expected[day]
        assert pushes[day]["run_id"] == commits[day]["run_id"] == run["id"]
        assert pushes[day]["dagster/row_count"] == want["pushes"], day
        assert commits[day]["dagster/row_count"] == want["commits"], day
        assert (
            pushes[day]["hours_missing"] == manifest[day]["hours_missing"] == want["hours_missing"]
        )
        assert top_repos_figure(pushes[day]["top_repos"]) == want["top_repos"], day
        assert f"on {day}" in pushes[day]["top_repos"]
        assert pushes[day]["path"].endswith(f"date={day}/data.parquet")
        assert pushes[day]["run_days"] == 3
        assert commit_rows(dagster, day) == want["commits"]
    assert len({pushes[day]["dagster/row_count"] for day in DAYS}) == len(DAYS)
    api_commits = partition_figures(dagster, "api_commits")  # no repository followed: empty days
    assert {day: api_commits[day]["dagster/row_count"] for day in DAYS} == dict.fromkeys(DAYS, 0)

    for day in DAYS:
        want = expected[day]
        open_partition(page, dagster, "push_events", day)
        expect(metadata_value(page, "dagster/row_count")).to_have_text(str(want["pushes"]))
        expect(metadata_value(page, "hours_missing")).to_have_text(str(want["hours_missing"]))
        top = metadata_value(page, "top_repos")
        expect(top).to_contain_text(f"Top repositories by pushes on {day}")
        for repo in list(want["top_repos"])[:3]:
            expect(top).to_contain_text(repo)
        top.scroll_into_view_if_needed()
        screenshot(page, f"07-push-events-{day}.png")


def test_the_day_without_files_warns_in_its_check(page: Page, dagster: DagsterServer) -> None:
    """After the range run, `archive_has_the_day` failed, as a warning, for the empty day only;
    the check's status is the run's verdict, which names that day."""
    executions = dagster.graphql(
        CHECK_EXECUTIONS, key={"path": ["push_events"]}, check="archive_has_the_day"
    )["assetCheckExecutions"]
    latest_run = {e["partition"]: e for e in executions if e["runId"] == executions[0]["runId"]}
    assert set(latest_run) == {*DAYS, None}
    assert {day: e["evaluation"]["success"] for day, e in latest_run.items()} == {
        REAL_DAY: True,
        EMPTY_DAY: False,
        DAMAGED_DAY: True,
        None: False,
    }
    empty, run = latest_run[EMPTY_DAY]["evaluation"], latest_run[None]["evaluation"]
    assert empty["severity"] == run["severity"] == "WARN"
    assert empty["description"].startswith(f"{EMPTY_DAY}: all 24 hourly files are missing")
    assert run["description"].startswith(
        f"Run over 3 days ({REAL_DAY} to {DAMAGED_DAY}): failed on 1: {EMPTY_DAY}"
    )

    page.goto(f"{dagster.url}/assets/push_events?view=checks")
    # the list of checks: this one failed (a warning), the others succeeded
    expect(page.locator("body")).to_contain_text(
        re.compile(r"archive_has_the_day\s*(archive_has_the_day\s*)?Failed")
    )
    expect(page.get_by_role("img", name="warning_outline")).to_have_count(1)
    page.get_by_text("archive_has_the_day", exact=True).first.click()
    expect(page.get_by_text(run["description"], exact=True)).to_be_visible()
    screenshot(page, "08-empty-day-check.png")
    page.get_by_text("Execution history", exact=True).click()
    for day in DAYS:  # one row per day, each description naming its day
        expect(page.get_by_role("cell", name=re.compile(rf"^{day}: ")).first).to_be_visible()
    expect(page.get_by_role("cell", name=empty["description"], exact=True).first).to_be_visible()
    screenshot(page, "09-check-history.png")


def test_the_sensor_and_schedule_pages_read_as_plain_text(
    page: Page, dagster: DagsterServer
) -> None:
    """*Automation*, then each automation: its description, off by default, no stray backticks."""
    for name in ("gharchive_day_sensor", "gharchive_hour_sensor", "gharchive_daily_schedule"):
        navigate(page, dagster, "Automation")
        page.get_by_role("link").filter(has_text=name).first.click()
        expect(page).to_have_url(re.compile(rf"/{name}$"))
        description = metadata_value(page, "Description")
        expect(description).to_contain_text("UTC")
        assert "`" not in description.inner_text()
        expect(page.get_by_role("checkbox")).to_have_count(1)  # Running: off by default
        expect(page.get_by_role("checkbox")).not_to_be_checked()
        screenshot(page, f"11-{name}.png")
    navigate(page, dagster, "Catalog")
    for table in TABLES:
        expect(page.locator(f'a[href="/assets/{table}"]')).to_be_visible()
    expect(page.get_by_text(re.compile(r"^One row per commit listed"))).to_be_visible()
    assert "`" not in page.locator("body").inner_text()


def backfill_by_graphql(dagster: DagsterServer, start: str, end: str) -> dict:
    """Launch the README's `launchPartitionBackfill` call over all tables; wait for its end."""
    return dagster.wait_for_backfill(dagster.launch_backfill(TABLES, start, end))


def test_backfill_from_a_script_with_the_readme_graphql_call(dagster: DagsterServer) -> None:
    """The `launchPartitionBackfill` call the README shows, for a range of two days."""
    backfill = backfill_by_graphql(dagster, EMPTY_DAY, DAMAGED_DAY)
    assert backfill["status"] == "COMPLETED_SUCCESS", backfill
    assert [run["status"] for run in backfill["runs"]] == ["SUCCESS"]


def test_a_cli_run_with_the_readme_dagster_home_shows_in_the_ui(dagster: DagsterServer) -> None:
    """The README's `dg launch` line, with DAGSTER_HOME set to the instance `make dev` uses."""
    before = {run["runId"] for run in runs(dagster)}
    completed = subprocess.run(
        [
            REPO / ".venv" / "bin" / "dg",
            "launch",
            "-m",
            "gh_assets.definitions",
            "--assets",
            "gharchive_manifest*",
            "--partition",
            REAL_DAY,
        ],
        cwd=REPO,
        env={**dagster.env, "DAGSTER_HOME": str(dagster.home)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-3000:]
    assert "superseded" not in completed.stderr
    new = [run for run in runs(dagster) if run["runId"] not in before]
    assert [(run["status"], run["tags"].get("dagster/partition")) for run in new] == [
        ("SUCCESS", REAL_DAY)
    ]


def test_the_readme_duckdb_query_runs_with_make_query(dagster: DagsterServer) -> None:
    """`make query` (DuckDB, a runtime dependency) over the tables the UI's runs wrote."""
    tables = dagster.storage / "commits" / "*" / "*.parquet"
    sql = (
        f"SELECT repo, count(*) FROM read_parquet('{tables}', hive_partitioning = true) "
        f"WHERE date = '{REAL_DAY}' GROUP BY repo ORDER BY 2 DESC LIMIT 10"
    )
    completed = subprocess.run(
        ["make", "query", f"SQL={sql}"],
        cwd=REPO,
        env=dagster.env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    commits = Counter(
        row["repo"] for row in reference_rows(sample_lines(REAL_HOUR), f"{REAL_DAY}-1.json.gz")[1]
    )
    repo, count = commits.most_common(1)[0]
    assert re.search(rf"│ {re.escape(repo)}\s+│\s+{count} │", completed.stdout), completed.stdout


def runs(dagster: DagsterServer) -> list[dict]:
    data = dagster.graphql(
        "{ runsOrError(limit: 50) { ... on Runs { results { runId status tags { key value } } } } }"
    )
    return [
        {**run, "tags": {tag["key"]: tag["value"] for tag in run["tags"]}}
        for run in data["runsOrError"]["results"]
    ]


def materialization_count(dagster: DagsterServer, table: str) -> int:
    data = dagster.graphql(
        "query($key: AssetKeyInput!) { assetOrError(assetKey: $key) { ... on Asset { "
        "assetMaterializations(limit: 100) { timestamp } } } }",
        key={"path": [table]},
    )
    return len(data["assetOrError"]["assetMaterializations"])


def test_numeric_metadata_plots_over_materializations(page: Page, dagster: DagsterServer) -> None:
    """Plots > Events graphs each numeric figure over the asset's materializations.

    Plots > Partitions only covers the newest 120 days of the partition set (the UI's limit), so
    the 2015 days materialized here show there as empty; the Events view is the one over time.
    """
    while materialization_count(dagster, "push_events") < 2:
        assert backfill_by_graphql(dagster, REAL_DAY, REAL_DAY)["status"] == "COMPLETED_SUCCESS"
    page.goto(f"{dagster.url}/assets/push_events")
    page.get_by_role("button", name="Plots").click()
    page.get_by_role("button", name="Events").click()
    figures = (
        "dagster/row_count",
        "pushes_without_commit_list",
        "hours_missing",
        "published_after_seconds",
    )
    for figure in figures:
        expect(page.get_by_text(figure, exact=True)).to_be_visible()
    expect(page.get_by_text("Asset plots are automatically generated")).to_have_count(0)
    assert page.locator("canvas").count() >= len(figures)
    page.get_by_text(figures[1], exact=True).scroll_into_view_if_needed()
    screenshot(page, "10-push-events-plots.png")


def test_a_run_terminated_mid_day_closes_its_cluster_and_keeps_the_old_day(
    dagster: DagsterServer,
) -> None:
    """Terminate a run while its hour stalls: the published day stays whole, no worker remains.

    The hour is uploaded again first (a new Last-Modified), so that the day, built already, is
    not up to date and the run downloads it."""
    day, name = REAL_DAY, f"{REAL_DAY}-1.json.gz"
    day_file = dagster.storage / "commits" / f"date={day}" / "data.parquet"
    before = day_file.read_bytes()
    uploaded = dagster.mirror.root / name
    later = uploaded.stat().st_mtime + 10
    os.utime(uploaded, (later, later))
    dagster.mirror.add_faults(name, "stall")
    backfill_id = dagster.launch_backfill(TABLES, day, day)
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
