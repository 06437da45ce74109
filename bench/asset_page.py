"""Benchmark: how long the UI's asset pages take to answer on the deployment's instance
(PostgreSQL), over every day partition since 2011-02-12 with a year of them materialized.

    .venv/bin/python -m bench.asset_page [--asset-page-year 2015] [--asset-page-reps 3]

A throwaway PostgreSQL server (Debian's, as the tests start it) holds the instance of
`deploy/dagster.yaml`. One day of generated hours is built by the CLI (every table, with its
checks); its materializations and check evaluations are then copied to every other day of the
year (runless events with the same metadata and tags). The webserver, a separate process as under
`make serve`, serves each table's page to headless Chromium (Debian's): the figure is the time from
navigation to the last GraphQL answer of the page's first load (its partitions' health, latest
materialization, checks), on the overview and on the partitions tab; the first visit after the
webserver started (cold), then the median of fresh pages (warm). The webserver's bytecode is
compiled at install (`make sync`) and it runs with PYTHONDONTWRITEBYTECODE=1, as deployed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from statistics import median

import requests

from bench.end_to_end import BENCH, ROOT, VENV_BIN, base_env
from gh_assets.defs.deployment.postgres import URL_VARIABLE
from gh_assets_tests.harnesses.postgres_server import start_postgres
from gh_assets_tests.harnesses.processes import free_port, stop_process_group, wait_for
from gh_assets_tests.harnesses.webserver import code_location_loaded
from gh_assets_tests.synthetic.days import write_fake_days

TABLES = ("gharchive_manifest", "push_events", "commits", "events", "repo_activity")
VIEWS = {"overview": "", "partitions": "?view=partitions"}
GOAL_SECONDS = 2.0
CHROMIUM = Path("/usr/bin/chromium")


def build_year(year: int, env: dict[str, str], work: Path) -> int:
    """Build the year's first day with the CLI and copy its events to the other days; the
    number of events written."""
    first = dt.date(year, 1, 1)
    write_fake_days(work / "archive", [first], hours=[0, 6, 12, 18])
    command = [str(VENV_BIN / "dagster"), "asset", "materialize", "-m", "gh_assets.definitions"]
    command += ["--select", "gharchive_manifest*", "--partition", first.isoformat()]
    built = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if built.returncode:
        raise RuntimeError(f"the CLI run failed:\n{built.stdout[-3000:]}{built.stderr[-3000:]}")
    import dagster as dg

    os.environ[URL_VARIABLE] = env[URL_VARIABLE]
    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        [run] = instance.get_runs(limit=1)
        kinds = {
            dg.DagsterEventType.ASSET_MATERIALIZATION,
            dg.DagsterEventType.ASSET_CHECK_EVALUATION,
        }
        built = [
            entry.dagster_event.event_specific_data
            for entry in instance.all_logs(run.run_id, of_type=kinds)
        ]
        days = [
            first + dt.timedelta(days=n) for n in range(1, (dt.date(year + 1, 1, 1) - first).days)
        ]
        for day in days:
            for event in built:
                instance.report_runless_asset_event(_on_day(event, day.isoformat()))
    return len(built) * (len(days) + 1)


def _on_day(event, day: str):
    """A materialization (`materialization`) or a check evaluation, for another day."""
    import dagster as dg

    if isinstance(event, dg.AssetCheckEvaluation):
        return dg.AssetCheckEvaluation(
            asset_key=event.asset_key,
            check_name=event.check_name,
            passed=event.passed,
            metadata=event.metadata,
            severity=event.severity,
            description=event.description,
            partition=day,
        )
    materialization = event.materialization
    return dg.AssetMaterialization(
        asset_key=materialization.asset_key,
        partition=day,
        metadata=materialization.metadata,
        tags=materialization.tags,
    )


def _loaded(url: str, webserver: subprocess.Popen) -> bool:
    assert webserver.poll() is None, f"the webserver exited with {webserver.returncode}"
    try:
        return code_location_loaded(url)
    except requests.ConnectionError:
        return False


def page_seconds(browser, url: str) -> float:
    """Seconds from navigating to `url` to the last GraphQL answer of the page's first load."""
    page = browser.new_page()
    answered: list[float] = []
    page.on(
        "requestfinished",
        lambda request: "/graphql" in request.url and answered.append(time.perf_counter()),
    )
    started = time.perf_counter()
    page.goto(url, wait_until="networkidle", timeout=120_000)
    page.close()
    assert answered, f"{url} made no GraphQL request"
    return max(answered) - started


def measure(args: argparse.Namespace) -> dict:
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="asset-page-", dir=args.data_dir.resolve()))
    postgres = start_postgres(work / "postgres")
    webserver = None
    try:
        home = work / "home"
        home.mkdir()
        shutil.copy(ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
        env = base_env() | {
            "DAGSTER_HOME": str(home),
            URL_VARIABLE: postgres.create_database("bench"),
            "GH_ASSETS_SOURCE_URL": (work / "archive").as_uri(),
            "GH_ASSETS_STORAGE": str(work / "tables"),
            "GH_ASSETS_DASK_MODE": "local",
        }
        started = time.perf_counter()
        events = build_year(args.asset_page_year, env, work)
        filled_s = time.perf_counter() - started
        port = free_port()
        command = [str(VENV_BIN / "dagster-webserver"), "-m", "gh_assets.definitions"]
        command += ["-h", "127.0.0.1", "-p", str(port)]
        with open(work / "webserver.log", "w") as log:
            webserver = subprocess.Popen(
                command, env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True
            )
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: _loaded(url, webserver), 180, "the webserver's code location")
        pages: dict[str, dict] = {}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
            )
            for table in TABLES:
                for view, query in VIEWS.items():
                    address = f"{url}/assets/{table}{query}"
                    cold = page_seconds(browser, address)
                    warm = [page_seconds(browser, address) for _ in range(args.asset_page_reps)]
                    pages[f"{table} {view}"] = {"cold_s": cold, "warm_s": median(warm)}
            browser.close()
        slowest = max(figures["warm_s"] for figures in pages.values())
        return {
            "year": args.asset_page_year,
            "events": events,
            "fill_s": filled_s,
            "reps": args.asset_page_reps,
            "pages": pages,
            "goal": {"goal": f"warm page <= {GOAL_SECONDS} s", "value": slowest},
            "met": slowest <= GOAL_SECONDS,
        }
    finally:
        if webserver is not None:
            stop_process_group(webserver, grace_seconds=10)
        postgres.stop()
        shutil.rmtree(work, ignore_errors=True)


def print_summary(result: dict) -> None:
    partitions = (dt.date.today() - dt.date(2011, 2, 12)).days + 1
    print(
        f"The UI's asset pages on PostgreSQL: {partitions} day partitions, {result['year']} "
        f"materialized ({result['events']} events, written in {result['fill_s']:.0f} s); "
        f"seconds to the last GraphQL answer, warm = median of {result['reps']}:"
    )
    print(f"{'page':<32} {'cold s':>8} {'warm s':>8}")
    for name, figures in result["pages"].items():
        print(f"{name:<32} {figures['cold_s']:>8.2f} {figures['warm_s']:>8.2f}")
    goal = result["goal"]
    print(f"  goal {goal['goal']}: {goal['value']:.2f} -> {'met' if result['met'] else 'NOT met'}")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--asset-page-year", type=int, default=2015, help="the year materialized")
    p.add_argument("--asset-page-reps", type=int, default=3, help="warm visits of each page")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    add_arguments(p)
    p.add_argument("--data-dir", type=Path, default=BENCH / ".data")
    p.add_argument("--json", type=Path, help="also write the figures here")
    args = p.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    result = measure(args)
    print_summary(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
