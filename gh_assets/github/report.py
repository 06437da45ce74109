"""What an `api_commits` run did, day by day: each day's figures and its data checks.

As in the run report (compute/run_report.py), every figure and check is about one day, and what is
about the whole run is named so; a check is declared once, as a `DataCheck` judging one day.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cached_property

from gh_assets.github.api_day import ApiDay
from gh_assets.github.following import FollowedRepos
from gh_assets.github.push_answers import KINDS
from gh_assets.reporting import CheckOutcome, DataCheck, Figure, Markdown, TablePath, counted
from gh_assets.tables.catalogue import API_COMMITS

# Why a push got no answer, and what each cause means (the run's metadata shows both).
CAUSES = {
    "not_found": "404: the repository is gone or private, or a commit is unknown",
    "conflict": "409: the repository is empty",
    "unprocessable": "422: a commit is unknown (force-pushed away)",
    "forbidden": "403 that is not a rate limit: the token may not read the repository",
    "server_error": "5xx after every attempt",
    "connection_error": "no answer after every attempt",
    "rate_limited": "still rate limited after every attempt",
    "stopped_for_rate_limit": "not asked: the rate limit's reset was further off than the run "
    "may wait",
    "unexpected_answer": "an answer this client cannot read",
}
GONE_FOR_GOOD = frozenset({"not_found", "conflict", "unprocessable"})


@dataclass(frozen=True)
class ApiDayReport:
    """One day of a run: what its partition records, and what its checks are judged on.

    `how_to_follow` is what a deployment that follows no repository is told."""

    result: ApiDay
    followed: FollowedRepos
    how_to_follow: str

    @property
    def followed_text(self) -> str:
        return str(self.followed) or f"none: {self.how_to_follow}"

    @property
    def partition_key(self) -> str:
        return self.result.day.isoformat()

    @cached_property
    def kinds(self) -> Counter[str]:
        return Counter(o.answer.kind for o in self.result.outcomes if o.answer)

    @cached_property
    def causes(self) -> Counter[str]:
        return Counter(o.cause for o in self.result.outcomes if o.cause)

    def figures(self) -> dict[str, Figure]:
        """The day's figures, for its partition's materialization."""
        day = self.result
        answered = [o.answer for o in day.outcomes if o.answer]
        return {
            "dagster/row_count": day.rows,
            "followed_repos": self.followed_text,
            "pushes_without_commit_list": day.pushes_without_commit_list,
            "pushes_asked": len(day.outcomes),
            "pushes_answered": len(answered),
            "pushes_not_answered": self.causes.total(),
            "answered_from_cache": sum(answer.from_cache for answer in answered),
            "commits": day.rows,
            **{f"pushes_{kind}": self.kinds[kind] for kind in KINDS},
            **{f"not_answered_{cause}": self.causes[cause] for cause in CAUSES},
            "requests_sent": sum(day.requests_by_status.values()),
            "rate_limit_waits": day.rate_limit_waits,
            "rate_limit_wait_seconds": round(day.rate_limit_wait_seconds, 1),
            "bytes_written": day.bytes_written,
            "outcomes": self._outcomes_table(),
            "requests_by_status": Markdown(
                "\n".join(
                    f"- `{status}`: {count}"
                    for status, count in sorted(day.requests_by_status.items())
                )
                or "none"
            ),
            "path": TablePath(day.path),
        }

    def _outcomes_table(self) -> Markdown:
        """Every kind of answer and cause of no answer, with its count and meaning."""
        lines = ["| pushes | outcome | meaning |", "|---:|---|---|"]
        lines += [
            f"| {self.kinds[kind]} | answered: {kind} | {text} |" for kind, text in KINDS.items()
        ]
        lines += [
            f"| {self.causes[cause]} | not answered: {cause} | {text} |"
            for cause, text in CAUSES.items()
        ]
        return Markdown("\n".join(lines))


def _every_push_answered_or_counted(day: ApiDayReport) -> CheckOutcome:
    """Each followed push has one outcome, an answer or a known cause; the rows written are the
    answers' commits."""
    outcomes = day.result.outcomes
    unaccounted = [
        o.push.event_id for o in outcomes if (o.answer is None) == (o.cause not in CAUSES)
    ]
    followed, rows = day.result.pushes_followed, day.result.rows
    listed = sum(len(o.answer.commits) for o in outcomes if o.answer)
    passed = not unaccounted and followed == len(outcomes) and rows == listed
    summary = (
        f"{len(outcomes) - day.causes.total()} of {counted(followed, 'push', 'pushes')} "
        f"answered ({counted(rows, 'commit')} written), {day.causes.total()} counted with a cause"
        if passed
        else f"{counted(followed, 'push', 'pushes')} followed, {len(outcomes)} with an outcome, "
        f"{len(unaccounted)} with neither answer nor cause; {counted(rows, 'row')} for "
        f"{counted(listed, 'commit')} answered"
    )
    if passed and not day.followed:
        summary = f"no repository is followed, so no push is asked about ({day.how_to_follow})"
    return CheckOutcome(
        passed,
        summary,
        {
            "pushes_followed": followed,
            "pushes_with_outcome": len(outcomes),
            "pushes_unaccounted": len(unaccounted),
            "first_unaccounted": ", ".join(unaccounted[:10]) or "none",
            "rows": rows,
            "commits_in_answers": listed,
        },
    )


def _no_push_left_to_retry(day: ApiDayReport) -> CheckOutcome:
    left = {cause: n for cause, n in day.causes.items() if cause not in GONE_FOR_GOOD}
    causes = ", ".join(f"{cause}: {n}" for cause, n in sorted(left.items())) or "none"
    summary = (
        f"{counted(sum(left.values()), 'push', 'pushes')} left without an answer a later run "
        f"could get ({causes})"
        if left
        else "no push left for a later run"
        if day.followed
        else f"no repository is followed, so none is left ({day.how_to_follow})"
    )
    return CheckOutcome(not left, summary, {"pushes_left": sum(left.values()), "causes": causes})


CHECKS = (
    DataCheck(
        "every_push_answered_or_counted",
        API_COMMITS,
        "Every list-less push of a followed repository is either answered (its commits written) "
        "or counted with a cause.",
        _every_push_answered_or_counted,
    ),
    DataCheck(
        "no_push_left_to_retry",
        API_COMMITS,
        "No push is left without an answer for a reason a later run could overcome (a rate limit "
        "further off than the run may wait, server or connection errors, a 403); pushes whose "
        "repository or commit is gone (404, 409, 422) are not.",
        _no_push_left_to_retry,
    ),
)
