"""Seeded draws of what events hold: people, repositories, prose, ids, commits and pushes.

The distributions follow real hours (2015-01-01-1 and later): 0-20 listed commits (mean ~1.8, 2%
empty), a `size` beyond 20 for some capped lists, hashed, bare-hex, plain and empty emails,
multi-line and non-ASCII messages, `refs/heads`, `tags` and `notes`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from gh_assets_tests.synthetic.eras import Era, is_modern
from gh_assets_tests.synthetic.truth import FakeCommit, FakePush, Person

_WORDS = (
    "fix add update remove refactor bump merge branch test docs readme build config release "
    "version typo cleanup support handle error issue bug feature api client server parser "
    "module function class method variable value return default option setting path file "
    "data cache index query schema table column row event user repo commit push pull request "
    "review comment label milestone workflow action deploy docker image container service "
    "memory leak performance improve optimize initial implement allow prevent check validate "
    "the a an of to in for on with from by and or not is are was be this that it when if "
    "größe änderung fehler behoben 修正 追加 更新 削除 исправление обновление ошибка 🎉 ✨ 🐛 "
    '"quoted" back\\slash tab\tstop «guillemets» 1.2.0 #42 @mention'
)
WORDS = _WORDS.split(" ")
DOMAINS = ("gmail.com", "users.noreply.github.com", "example.org", "outlook.com", "qq.com")
_FIRST = "Alex Maria Wei Juan Anna Olga Pierre Yuki Sam Priya Ahmed Lena Tom Chen Ivan Sara"
_LAST = "Smith Müller Wang García Kowalski Rossi Tanaka Silva Nguyen Ivanov Kim Dubois"
FIRST, LAST = _FIRST.split(), _LAST.split()
SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in "aeiou"] + ["er", "in", "on", "st"]
AWKWARD_PEOPLE = (  # in every world: a bot, a non-ASCII login, names in other scripts, no name
    Person(27856297, "dependabot[bot]", "dependabot[bot]"),
    Person(4711, "zoë-dev", "Anna-Lena Ødegård"),
    Person(1310570, "soumith", "Soumith Chintala"),
    Person(88001, "lilei", "李雷"),
    Person(90210, "jose-m", "José Martínez"),
    Person(31337, "anonymous-pusher", ""),
)
EMAIL_KINDS = {"hashed": 0.85, "plain": 0.05, "bare": 0.07, "empty": 0.03}


@dataclass(frozen=True)
class World:
    """The people, repositories (id, `owner/name`) and prose that events are drawn from."""

    people: list[Person]
    repos: list[tuple[int, str]]
    corpus: str


def _word(rng: random.Random) -> str:
    return "".join(rng.choices(SYLLABLES, k=rng.randint(1, 4)))


@cache
def world(seed: int, people: int = 40_000, repos: int = 60_000, words: int = 400_000) -> World:
    """A world of this size, the same for the same arguments (built once per process)."""
    rng = random.Random(f"pools-{seed}")
    everyone = list(AWKWARD_PEOPLE)
    for _ in range(people):
        login = _word(rng) + (str(rng.randint(1, 999)) if rng.random() < 0.3 else "")
        name = "" if rng.random() < 0.03 else f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        everyone.append(Person(rng.randint(1, 60_000_000), login, name))
    repositories = [
        (rng.randint(1, 270_000_000), f"{rng.choice(everyone).login}/{_word(rng)}-{_word(rng)}")
        for _ in range(repos)
    ]
    vocabulary = WORDS + [_word(rng) for _ in range(3_000)]
    zipf = [1 / (rank + 1) for rank in range(len(vocabulary))]  # a few words dominate, as in prose
    parts: list[str] = []
    for word in rng.choices(vocabulary, zipf, k=words):
        parts.append(word)
        r = rng.random()
        parts.append("\n\n" if r < 0.01 else "\r\n- " if r < 0.02 else ". " if r < 0.08 else " ")
    return World(everyone, repositories, "".join(parts))


class Draws:
    """One seeded stream of values and pushes (a generated day of the tests, an hour of the bench).

    `body_chars` is the median and cap of issue and pull-request bodies; ids count up from the
    first ones given, as the archive's do.
    """

    def __init__(
        self,
        rng: random.Random,
        drawn_from: World,
        *,
        first_event_id: int,
        first_push_id: int,
        body_chars: tuple[int, int] = (200, 4_000),
    ) -> None:
        self.rng = rng
        self.world = drawn_from
        self.next_event_id = first_event_id
        self.next_push_id = first_push_id
        self.body_chars = body_chars

    # values

    def sha(self) -> str:
        return f"{self.rng.getrandbits(160):040x}"

    def person(self) -> Person:
        return self.rng.choice(self.world.people)

    def repo(self) -> tuple[int, str]:
        return self.rng.choice(self.world.repos)

    def text(self, median: int, cap: int) -> str:
        """A slice of the corpus with a log-normal length (multi-line, some non-ASCII)."""
        length = min(cap, max(1, int(self.rng.lognormvariate(0, 1.0) * median)))
        start = self.rng.randrange(len(self.world.corpus) - cap - 1)
        return self.world.corpus[start : start + length]

    def body(self) -> str:
        """An issue or pull-request body."""
        return self.text(*self.body_chars)

    def comment_body(self) -> str:
        """A comment: shorter than the bodies it answers."""
        median, cap = self.body_chars
        return self.text(median // 3, cap // 4)

    def message(self) -> str:
        """A commit message: mostly one line, some with a body, a few very long."""
        r = self.rng.random()
        if r < 0.85:
            return self.text(35, 120).strip() or "update"
        if r < 0.995:
            return self.text(35, 80).strip() + "\n\n" + self.text(150, 2_000)
        return self.text(3_000, 8_000)

    def email(self, kind: str | None = None) -> str:
        """An author email of a kind (drawn if not given): hashed, plain, bare hex or empty."""
        kind = kind or self.rng.choices(list(EMAIL_KINDS), list(EMAIL_KINDS.values()))[0]
        if kind == "hashed":
            return f"{self.sha()}@{self.rng.choice(DOMAINS)}"
        if kind == "plain":
            return f"{self.person().login}@{self.rng.choice(DOMAINS)}"
        return self.sha() if kind == "bare" else ""

    def branch(self) -> str:
        choices = ("master", "main", "develop", "gh-pages", "fix/ümlaut")
        return self.rng.choice((*choices, f"feature/{self.rng.randint(1, 9999)}"))

    def ref(self) -> str:
        r = self.rng.random()
        if r < 0.95:
            return f"refs/heads/{self.branch()}"
        if r < 0.995:
            return f"refs/tags/v{self.rng.randint(0, 9)}.{self.rng.randint(0, 30)}"
        return "refs/notes/commits"

    def past(self, moment: datetime) -> datetime:
        """A time up to 900 days before `moment` (when a repository or issue was created)."""
        return moment - timedelta(days=self.rng.uniform(0.01, 900))

    def org(self, created_at: datetime) -> Person | None:
        """The organization of some later Events-API events."""
        return self.person() if is_modern(created_at) and self.rng.random() < 0.25 else None

    def event_id(self, era: Era) -> str | None:
        """The next event id; timeline events have none."""
        if era == "timeline":
            return None
        self.next_event_id += self.rng.randint(1, 3)
        return str(self.next_event_id)

    # commits and pushes

    def commit(
        self, era: Era, author: Person | None = None, email: str | None = None, **overrides: Any
    ) -> FakeCommit:
        """A listed commit; what is not given is drawn."""
        fields = {
            "sha": self.sha(),
            "author_email": self.email() if email is None else email,
            "author_name": (author or self.person()).name,
            "message": self.message(),
            "distinct": None if era == "legacy" else self.rng.random() < 0.95,
        }
        return FakeCommit(**(fields | overrides))

    def commits(self, era: Era, actor: Person) -> list[FakeCommit]:
        """A push's commit list: mostly the pusher's, sometimes several authors."""
        rng = self.rng
        count = 0 if rng.random() < 0.02 else min(20, int(rng.paretovariate(1.7)))
        author = actor if rng.random() < 0.7 else self.person()
        email = self.email()
        listed = []
        for _ in range(count):
            if rng.random() < 0.15:
                author, email = self.person(), self.email()
            listed.append(self.commit(era, author, email))
        return listed

    def push(
        self,
        era: Era,
        created_at: datetime,
        commits: list[FakeCommit] | None = None,
        **overrides: Any,
    ) -> FakePush:
        """A push of `era`; `commits` are drawn unless given (slim pushes list none).

        An Events-API push without commits has `head == before`.
        """
        actor = self.person()
        repo_id, repo = self.repo()
        listed = era != "slim"
        if commits is None:
            commits = self.commits(era, actor) if listed else []
        count = len(commits)
        rng = self.rng
        size = count if count < 20 or rng.random() < 0.6 else int(20 * rng.paretovariate(0.8))
        before = self.sha() if era in ("events", "slim") else None
        empty_head = before if era == "events" else self.sha()
        head = commits[-1].sha if commits and listed else empty_head
        self.next_push_id += rng.randint(1, 4)
        distinct = sum(bool(c.distinct) for c in commits) + size - count
        fields = {
            "era": era,
            "event_id": self.event_id(era),
            "actor": actor,
            "repo": repo,
            "repo_id": repo_id,
            "created_at": created_at,
            "ref": self.ref(),
            "head": head,
            "before": before,
            "push_id": None if era == "timeline" else self.next_push_id,
            "size": size if listed else None,
            "distinct_size": distinct if era == "events" else None,
            "commits": tuple(commits) if listed else None,
            "org": self.org(created_at) if era in ("events", "slim") else None,
        }
        return FakePush(**(fields | overrides))
