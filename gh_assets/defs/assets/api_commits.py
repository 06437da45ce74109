"""`api_commits`: the commits GitHub lists for the day's pushes that the archive gives without any.

Downstream of `push_events`: reads the day's file, asks GitHub about its list-less pushes in the
followed repositories (GH_ASSETS_API_COMMITS_REPOS) and writes their commits. A deployment that
follows none leaves the asset out (definitions.py); given a resource that follows none (run config,
tests), it asks nothing, needs no token and materializes nothing, saying so in the run's log.
"""

import time

import dagster as dg

from gh_assets.defs.assets.checks import check_specs, log_check_evaluations
from gh_assets.defs.assets.metadata import metadata, table_spec
from gh_assets.defs.partitions import daily_backfill_policy, daily_partitions, run_days
from gh_assets.defs.resources.github import GitHubResource
from gh_assets.defs.resources.storage import StorageResource
from gh_assets.github.answer_cache import AnswerCache
from gh_assets.github.api_day import build_api_day
from gh_assets.github.push_answers import PushAsker
from gh_assets.github.report import CHECKS, ApiCommitsReport
from gh_assets.settings import variable
from gh_assets.tables.catalogue import API_COMMITS, PUSH_EVENTS


@dg.multi_asset(
    specs=[table_spec(API_COMMITS, {"parquet", "github"}, deps=[PUSH_EVENTS.name], skippable=True)],
    check_specs=check_specs(CHECKS),
    can_subset=True,  # makes the checks optional outputs too, for a run that follows nothing
    partitions_def=daily_partitions,
    backfill_policy=daily_backfill_policy,
)
def api_commits(
    context: dg.AssetExecutionContext, github: GitHubResource, storage: StorageResource
):
    if dg.AssetKey(API_COMMITS.name) not in context.selected_asset_keys:
        raise dg.Failure("api_commits's checks run with its materialization: select the asset")
    started = time.monotonic()
    days = run_days(context.partition_keys)
    followed = github.followed()
    if followed is None:
        context.log.info(
            f"{variable('api_commits_repos')} is unset: no repository is followed, so GitHub is "
            f"not asked and api_commits is not materialized for {len(days)} day(s)"
        )
        return
    store = storage.writable_storage()
    client = github.client()
    asker = PushAsker(client, AnswerCache(store, client.api_url))
    results = []
    for day in days:
        results.append(build_api_day(store, asker, followed, day, github.concurrency))
        context.log.info(f"{day}: {results[-1].rows} commits from GitHub")
    if client.gate.stopped:
        context.log.warning(f"stopped asking GitHub: {client.gate.stopped}")
    report = ApiCommitsReport(tuple(results), str(followed))
    run_figures = {
        **metadata(report.run_figures()),
        "run_seconds": round(time.monotonic() - started, 2),
    }
    for day in report.day_reports:  # the day's own figures first, then the run's
        context.add_asset_metadata(
            {**metadata(day.figures()), **run_figures},
            asset_key=API_COMMITS.name,
            partition_key=day.partition_key,
        )
    yield dg.MaterializeResult(asset_key=API_COMMITS.name)
    yield from log_check_evaluations(context, report, CHECKS)
