"""`api_commits`: the commits GitHub lists for the day's pushes that the archive gives without any.

Downstream of `push_events`: reads the day's file, asks GitHub about its list-less pushes in the
followed repositories (GH_ASSETS_API_COMMITS_REPOS) and writes their commits. Following none, it
asks nothing, needs no token and writes each day empty (the commits of followed repositories: none),
saying so in its metadata, its checks and the run's log; so it is always in the graph and the daily
job, and a backfill of every asset succeeds.
"""

import time

import dagster as dg

from gh_assets.defs.assets.checks import CheckVerdicts, check_specs, selected_checks
from gh_assets.defs.assets.metadata import metadata, table_spec
from gh_assets.defs.core_logs import core_logs_in_step_log
from gh_assets.defs.day_records import record_day, recorded_outputs
from gh_assets.defs.partitions import daily_backfill_policy, daily_partitions, run_days
from gh_assets.defs.resources.github import GitHubResource
from gh_assets.defs.resources.storage import StorageResource
from gh_assets.github.answer_cache import AnswerCache
from gh_assets.github.api_day import build_api_day
from gh_assets.github.client import TOKEN_VARIABLE
from gh_assets.github.push_answers import PushAsker
from gh_assets.github.report import CHECKS, ApiDayReport
from gh_assets.settings import variable
from gh_assets.tables.catalogue import API_COMMITS, PUSH_EVENTS

HOW_TO_FOLLOW = (
    f"{variable('api_commits_repos')} is unset; to follow repositories, set it to owner/name and "
    f"owner/* patterns, comma-separated, with a token in {TOKEN_VARIABLE}"
)


@dg.multi_asset(
    specs=[table_spec(API_COMMITS, {"parquet", "github"}, deps=[PUSH_EVENTS.name], skippable=True)],
    check_specs=check_specs(CHECKS),
    can_subset=True,  # so that a selection of the checks alone is refused with a reason (run_days)
    partitions_def=daily_partitions,
    backfill_policy=daily_backfill_policy,
)
def api_commits(
    context: dg.AssetExecutionContext, github: GitHubResource, storage: StorageResource
):
    started = time.monotonic()
    checks = selected_checks(context, CHECKS)
    verdicts = CheckVerdicts(context)
    days = run_days(context)
    followed = github.followed()
    store = storage.writable_storage()
    asker = None
    if followed:
        client = github.client()
        asker = PushAsker(client, AnswerCache(store, client.api_url))
    else:
        context.log.info(
            f"No repository is followed ({HOW_TO_FOLLOW}): GitHub is not asked, and api_commits "
            f"is written empty for {len(days)} day(s)"
        )
    for day in days:
        with core_logs_in_step_log(context.log):  # GitHub's retries and waits, as they happen
            built = build_api_day(store, asker, followed, day, github.concurrency)
        context.log.info(f"{day}: {built.rows} commits from GitHub")
        day_report = ApiDayReport(built, followed, HOW_TO_FOLLOW)
        figures = {
            **metadata(day_report.figures()),
            "run_days": len(days),
            "published_after_seconds": round(time.monotonic() - started, 2),
        }
        record_day(context, API_COMMITS.name, day, figures)
        verdicts.judge(day_report, checks)
    if asker and asker.client.gate.stopped:
        context.log.warning(f"stopped asking GitHub: {asker.client.gate.stopped}")
    yield from recorded_outputs(context)
    yield from verdicts.close([spec.key for spec in check_specs(checks)])
