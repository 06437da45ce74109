"""A day after 2025-10-07 whose list-less pushes to `acme/*` GitHub can answer: every kind of push.

The archive day is a generated one (pushes of other repositories, no commit lists) with the acme
pushes added; the fake GitHub holds the acme repositories as commit graphs. Each push records the
commits it must get as the scenario built them (the commits it created for that push), never by
asking the graph, so the rows are checked against the fake's own truth and not re-derived.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from dataclasses import dataclass, field

from gh_assets_tests.harnesses.fake_github import Commit, FakeGitHub, Repo
from gh_assets_tests.synthetic.days import FakeDay, fake_day
from gh_assets_tests.synthetic.hours import FakeHour
from gh_assets_tests.synthetic.truth import FakeCommit, FakePush, Person

DAY = dt.date(2025, 11, 3)
ZERO = "0" * 40
# (address, as GH Archive stores it): GH Archive's own test (igrigorik/gharchive.org,
# crawler/obfuscate_test.rb), an address of the real 2015 sample, and an empty one (kept empty).
EMAILS = (
    ("example@gharchive.org", "c3499c2729730a7f807efb8676a92dcb6f8a3f8f@gharchive.org"),
    ("1@gharchive.org", "356a192b7913b04c54574d18c28d46e6395428ab@gharchive.org"),
    ("2@gharchive.org", "da4b9237bacccdf19c0760cab7aec4a8359010b0@gharchive.org"),
    ("admin@omega8.cc", "d033e22ae348aeb5660fc2140aec35850c4da997@omega8.cc"),
    ("", ""),
)
SCRAMBLED = dict(EMAILS)
NAMES = ("Ana María Ødegård", "李雷", "", "dependabot[bot]")
PUSHER = Person(4711, "ana-maria", "Ana María")
MESSAGES = ("Fix the parser\n\nIt read PushEvent wrong.", "修复登录页面的错误 🎉", "...", "x")


@dataclass(frozen=True)
class ScenarioPush:
    """An acme push, what kind it is, and the commits it must get (None: no answer, `cause`)."""

    push: FakePush
    kind: str | None
    commits: tuple[Commit, ...] | None
    cause: str | None = None


@dataclass
class ApiDayScenario:
    archive: FakeDay
    repos: list[Repo]
    pushes: list[ScenarioPush]
    faults: list[tuple[str, str]] = field(default_factory=list)

    def serve(self, github: FakeGitHub, faults: bool = True) -> None:
        """Give the fake GitHub the scenario's repositories, and its faults unless told not to."""
        for repo in self.repos:
            github.add_repo(repo)
        for path, kind in self.faults if faults else ():
            github.add_faults(path, kind)

    def expected_rows(self) -> list[dict]:
        """The api_commits rows, from each push's recorded commits."""
        source_file = {
            id(push): hour.source_file
            for hour in self.archive.hours.values()
            for push in hour.records
        }
        return [
            {
                "event_id": item.push.event_id,
                "commit_index": index,
                "sha": commit.sha,
                "push_id": item.push.push_id,
                "created_at": item.push.created_at,
                "user": item.push.actor.login,
                "repo": item.push.repo,
                "ref": item.push.ref,
                "author_name": commit.author_name,
                "author_email": SCRAMBLED[commit.author_email],
                "message": commit.message,
                "distinct": None,
                "source_file": source_file[id(item.push)],
                "source": "api",
            }
            for item in self.pushes
            if item.commits
            for index, commit in enumerate(item.commits)
        ]

    def kinds(self) -> Counter[str]:
        return Counter(item.kind for item in self.pushes if item.kind)

    def causes(self) -> Counter[str]:
        return Counter(item.cause for item in self.pushes if item.cause)


class _Builder:
    def __init__(self, day: dt.date) -> None:
        self.day = day
        self.ids = itertools.count(90_000_000_001)
        self.people = itertools.cycle(itertools.product(NAMES, (plain for plain, _ in EMAILS)))
        self.messages = itertools.cycle(MESSAGES)
        self.pushes: list[ScenarioPush] = []

    def chain(self, repo: Repo, parent: str | None, length: int) -> tuple[Commit, ...]:
        commits = []
        for _ in range(length):
            name, email = next(self.people)
            parents = (parent,) if parent else ()
            commit = repo.commit(parents, name, email, next(self.messages))
            commits.append(commit)
            parent = commit.sha
        return tuple(commits)

    def push(
        self,
        repo: str,
        ref: str,
        before: str,
        head: str,
        kind: str | None,
        commits: tuple[Commit, ...] | None,
        cause: str | None = None,
        listed: tuple[FakeCommit, ...] | None = None,
    ) -> None:
        """A push without a commit list, or (`listed`) one of the era before, which lists them."""
        era = "slim" if listed is None else "events"
        number = next(self.ids)
        minute = len(self.pushes)
        push = FakePush(
            era=era,
            event_id=str(number),
            actor=PUSHER,
            repo=repo,
            repo_id=4242,
            created_at=dt.datetime.combine(self.day, dt.time(0, minute), dt.UTC),
            ref=ref,
            head=head,
            before=before,
            push_id=number - 80_000_000_000,
            size=None if listed is None else len(listed),
            distinct_size=None if listed is None else len(listed),
            commits=listed,
        )
        self.pushes.append(ScenarioPush(push, kind, commits, cause))


def api_day(day: dt.date = DAY, seed: int = 0) -> ApiDayScenario:
    """The day: every kind of push in acme/widgets and the refusals in other acme repositories."""
    build = _Builder(day)
    widgets = Repo("acme/widgets", default_branch="main")
    main = build.chain(widgets, None, 5)
    widgets.branches["main"] = main[-1].sha
    old_feature = build.chain(widgets, main[1].sha, 2)
    new_feature = build.chain(widgets, main[1].sha, 2)
    topic = build.chain(widgets, main[3].sha, 2)
    orphan = build.chain(widgets, None, 2)
    bulk = build.chain(widgets, main[4].sha, 260)
    fresh = Repo("acme/fresh", default_branch="trunk")
    first = build.chain(fresh, None, 3)
    empty = Repo("acme/empty")
    w, heads = "acme/widgets", "refs/heads/"

    build.push(w, heads + "main", main[1].sha, main[3].sha, "fast_forward", main[2:4])
    build.push(
        w, heads + "feature", old_feature[-1].sha, new_feature[-1].sha, "force_push", new_feature
    )
    build.push(w, heads + "topic", ZERO, topic[-1].sha, "new_branch", topic)
    build.push(w, "refs/tags/v1.0", ZERO, main[2].sha, "new_branch", ())
    build.push(w, heads + "gh-pages", ZERO, orphan[-1].sha, "new_branch_head_only", orphan[-1:])
    build.push(w, heads + "old", old_feature[-1].sha, ZERO, "deleted_branch", ())
    build.push(w, heads + "bulk", main[4].sha, bulk[-1].sha, "fast_forward", bulk)
    build.push(w, heads + "main", main[4].sha, main[4].sha, "unchanged", ())
    build.push(w, heads + "main", "dead" * 10, main[4].sha, None, None, "unprocessable")
    build.push(
        "acme/fresh", heads + "trunk", ZERO, first[-1].sha, "new_branch_head_only", first[-1:]
    )
    build.push("acme/gone", heads + "main", main[0].sha, main[1].sha, None, None, "not_found")
    build.push("acme/empty", heads + "main", main[0].sha, main[1].sha, None, None, "conflict")
    # not asked: another owner, and a push that lists its commits
    build.push("octo/lib", heads + "main", main[0].sha, main[1].sha, None, None)
    listed = FakeCommit(main[1].sha, EMAILS[1][1], "Ana", "listed by the archive", True)
    build.push(w, heads + "main", main[0].sha, main[1].sha, None, None, listed=(listed,))
    asked = [
        item
        for item in build.pushes
        if item.push.repo.startswith("acme/") and item.push.era == "slim"
    ]

    archive = fake_day(day, seed=seed, hours=[0, 9, 17])
    for n, hour in enumerate(archive.hours):
        mine = [item.push for item in build.pushes[n::3]]
        archive.hours[hour] = FakeHour(
            archive.hours[hour].source_file, archive.hours[hour].records + mine
        )
    compare = f"/repos/{w}/compare"
    faults = [
        (f"{compare}/{main[1].sha}...{main[3].sha}", "primary_403"),
        (f"{compare}/main...{topic[-1].sha}", "secondary_429"),
        (f"{compare}/{old_feature[-1].sha}...{new_feature[-1].sha}", "status_502"),
    ]
    return ApiDayScenario(archive, [widgets, fresh, empty], asked, faults)
