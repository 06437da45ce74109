"""Generated GH Archive days of every era, damaged or not.

A push is generated as era-neutral truth (`FakePush`) and rendered into the era's JSON shape; its
expected rows are read off the truth (oracles/expected.py), never by parsing the JSON. Damage is
applied to an hour's bytes through `FakeHour` methods that record which records a reader can still
recover.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from gh_assets_tests.harnesses.archive_mirror import no_such_key
from gh_assets_tests.oracles.gharchive_contract import (
    hour_file_name,
)

Era = Literal["legacy", "timeline", "events", "slim"]
ERAS: tuple[Era, ...] = ("legacy", "timeline", "events", "slim")
PACIFIC = ZoneInfo("America/Los_Angeles")
OTHER_KINDS = ("IssuesEvent", "WatchEvent", "PullRequestEvent", "IssueCommentEvent")
COMMENT_TRAP = (
    'Why is this not a PushEvent? The raw line said {"type":"PushEvent","payload":'
    '{"commits":[{"sha":"deadbeef"}]}} and the parser believed it.\n"type":"PushEvent"'
)
_LOGINS = ("soumith", "radix", "octocat", "dependabot[bot]", "ana-maria", "kenji", "zoë-dev")
_NAMES = ("Soumith Chintala", "José Martínez", "李雷", "Anna-Lena Ødegård", "dependabot[bot]", "")
_DOMAINS = ("gmail.com", "users.noreply.github.com", "example.org")
_MESSAGES = (
    "Fix typo in README",
    "Merge pull request #42 from ana-maria/feature\n\nAdd feature x",
    "Update dependencies\r\n\r\n* bump requests\r\n* bump orjson",
    "修复登录页面的错误",
    "Ajout de l'exportation 🎉",
    'Handle "quoted" values, back\\slashes and\ttabs',
    "...",
)
_REPO_KEY = re.compile(rb'"repo(?:sitory)?":')
_MIN_TAIL = 256  # bytes of a cut line left after a gzip break, so every inflater agrees on it


def era_of(day: date) -> Era:
    """The format the archive used on a day (pipelines must decide by keys, not by date)."""
    if day < date(2012, 3, 11):
        return "legacy"
    if day < date(2015, 1, 1):
        return "timeline"
    return "events" if day < date(2025, 10, 7) else "slim"


@dataclass(frozen=True)
class FakeCommit:
    """One listed commit; `distinct` is None in the legacy format."""

    sha: str
    author_email: str
    author_name: str
    message: str
    distinct: bool | None


@dataclass(frozen=True)
class FakePush:
    """Era-neutral truth of a PushEvent: fields the era lacks are None."""

    era: Era
    event_id: str | None
    user: str
    repo: str
    repo_id: int | None
    created_at: datetime
    ref: str
    head: str
    before: str | None
    push_id: int | None
    size: int | None
    distinct_size: int | None
    commits: tuple[FakeCommit, ...] | None
    deleted_repo: bool = False
    slash_date: bool = False


Record = FakePush | dict[str, Any]


# rendering


def encode(event: dict[str, Any]) -> bytes:
    """One event as the archive writes it: compact JSON, raw UTF-8."""
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()


def render(record: Record) -> dict[str, Any]:
    """The JSON object of a record (non-push events are stored already rendered)."""
    return render_push(record) if isinstance(record, FakePush) else record


def render_push(push: FakePush) -> dict[str, Any]:
    """A PushEvent in its era's shape."""
    commits = push.commits or ()
    if push.era == "legacy":
        payload = {
            "shas": [[c.sha, c.author_email, c.message, c.author_name] for c in commits],
            "repo": push.repo,
            "actor": push.user,
            "ref": push.ref,
            "size": push.size,
            "head": push.head,
            "actor_gravatar": _md5(push.user),
            "push_id": push.push_id,
        }
    elif push.era == "timeline":
        payload = {
            "shas": [
                [c.sha, c.author_email, c.message, c.author_name, c.distinct] for c in commits
            ],
            "size": push.size,
            "ref": push.ref,
            "head": push.head,
        }
    elif push.era == "events":
        payload = {
            "push_id": push.push_id,
            "size": push.size,
            "distinct_size": push.distinct_size,
            "ref": push.ref,
            "head": push.head,
            "before": push.before,
            "commits": [_commit_object(c, push.repo) for c in commits],
        }
    else:
        payload = {
            "repository_id": push.repo_id,
            "push_id": push.push_id,
            "ref": push.ref,
            "head": push.head,
            "before": push.before,
        }
    return _envelope(
        push.era,
        "PushEvent",
        payload,
        user=push.user,
        repo=push.repo,
        repo_id=push.repo_id,
        created_at=push.created_at,
        event_id=push.event_id,
        deleted_repo=push.deleted_repo,
        slash_date=push.slash_date,
    )


def _commit_object(commit: FakeCommit, repo: str) -> dict[str, Any]:
    return {
        "sha": commit.sha,
        "author": {"email": commit.author_email, "name": commit.author_name},
        "message": commit.message,
        "distinct": commit.distinct,
        "url": f"https://api.github.com/repos/{repo}/commits/{commit.sha}",
    }


def _envelope(
    era: Era,
    kind: str,
    payload: dict[str, Any],
    *,
    user: str,
    repo: str,
    repo_id: int | None,
    created_at: datetime,
    event_id: str | None,
    deleted_repo: bool = False,
    slash_date: bool = False,
) -> dict[str, Any]:
    """Wrap a payload in the era's event object, keys in the archive's order."""
    owner, name = repo.split("/")
    if era == "legacy":
        dev = "https://api.github.dev"
        repo_object = (
            {"name": "/", "url": f"{dev}/repos//"}
            if deleted_repo
            else {"id": repo_id, "url": f"{dev}/repos/{repo}", "name": repo}
        )
        actor = {
            "gravatar_id": _md5(user),
            "id": _user_id(user),
            "url": f"{dev}/users/{user}",
            "avatar_url": f"https://secure.gravatar.com/avatar/{_md5(user)}",
            "login": user,
        }
        return {
            "repo": repo_object,
            "type": kind,
            "public": True,
            "created_at": f"{created_at:%Y-%m-%dT%H:%M:%SZ}",
            "payload": payload,
            "actor": actor,
            "id": event_id,
        }
    if era == "timeline":
        local = created_at.astimezone(PACIFIC)
        stamp = f"{local:%Y/%m/%d %H:%M:%S %z}" if slash_date else local.isoformat()
        return {
            "created_at": stamp,
            "payload": payload,
            "public": True,
            "type": kind,
            "url": f"https://github.com/{repo}",
            "actor": user,
            "actor_attributes": {
                "login": user,
                "type": "User",
                "gravatar_id": _md5(user),
                "name": user.title(),
                "email": _sha1(""),
            },
            "repository": {
                "id": repo_id,
                "name": name,
                "url": f"https://github.com/{repo}",
                "description": "Ünïcode description",
                "watchers": 3,
                "stargazers": 3,
                "forks": 0,
                "fork": False,
                "size": 120,
                "owner": owner,
                "private": False,
                "open_issues": 0,
                "has_issues": True,
                "has_downloads": True,
                "has_wiki": True,
                "language": "Python",
                "created_at": "2012-01-22T00:14:44-08:00",
                "pushed_at": stamp,
                "master_branch": "master",
            },
        }
    actor = {"id": _user_id(user), "login": user}
    if created_at.year >= 2017:
        actor["display_login"] = user
    actor |= {
        "gravatar_id": "",
        "url": f"https://api.github.com/users/{user}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{_user_id(user)}?",
    }
    event = {
        "id": event_id,
        "type": kind,
        "actor": actor,
        "repo": {"id": repo_id, "name": repo, "url": f"https://api.github.com/repos/{repo}"},
        "payload": payload,
        "public": True,
        "created_at": f"{created_at:%Y-%m-%dT%H:%M:%SZ}",
    }
    if owner.startswith("org-"):
        event["org"] = {"id": _user_id(owner), "login": owner}
    return event


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def _user_id(login: str) -> int:
    return int(_md5(login)[:7], 16)


# generation


class _Generator:
    """Draws realistic records for one day from a seeded random source."""

    def __init__(self, day: date, seed: int) -> None:
        self.day = day
        self.rng = random.Random(f"{day}-{seed}")
        late = day >= date(2016, 1, 1)
        self.next_id = 10_000_000_000 if late else 2_489_651_045
        self.next_push_id = 8_474_906_666 if late else 536_752_122
        if era_of(day) == "legacy":
            self.next_push_id = 24_643_024
        self.next_legacy_id = 1_127_195_475

    def sha(self) -> str:
        return f"{self.rng.getrandbits(160):040x}"

    def email(self, kind: str | None = None) -> str:
        kind = kind or self.rng.choice(("hashed", "hashed", "hashed", "bare", "plain"))
        local = self.rng.choice(_LOGINS).replace("[bot]", "")
        return {
            "hashed": f"{_sha1(local)}@{self.rng.choice(_DOMAINS)}",
            "bare": _sha1(local),
            "empty": "",
            "plain": f"{local}@{self.rng.choice(_DOMAINS)}",
        }[kind]

    def commit(self, era: Era, **overrides: Any) -> FakeCommit:
        fields = {
            "sha": self.sha(),
            "author_email": self.email(),
            "author_name": self.rng.choice(_NAMES[:-1]),
            "message": self.rng.choice(_MESSAGES),
            "distinct": None if era == "legacy" else self.rng.random() < 0.8,
        }
        return FakeCommit(**(fields | overrides))

    def event_id(self, era: Era) -> str | None:
        if era == "timeline":
            return None
        if era == "legacy":
            self.next_legacy_id += self.rng.randint(1, 9)
            return str(self.next_legacy_id)
        self.next_id += self.rng.randint(1, 9)
        return str(self.next_id)

    def created_at(self, era: Era, hour: int) -> datetime:
        minute, second = self.rng.randrange(60), self.rng.randrange(60)
        clock = datetime(self.day.year, self.day.month, self.day.day, hour, minute, second)
        zone = PACIFIC if era == "timeline" else UTC
        return clock.replace(tzinfo=zone).astimezone(UTC)

    def push(
        self,
        era: Era,
        created_at: datetime,
        commits: Sequence[FakeCommit] | None = None,
        **overrides: Any,
    ) -> FakePush:
        """A push of `era`; `commits` defaults to 1-4 random ones (slim pushes list none)."""
        if commits is None:
            commits = [self.commit(era) for _ in range(self.rng.randint(1, 4))]
        owner = self.rng.choice((*_LOGINS[:3], "org-apache", "org-rust-lang"))
        repo = f"{owner}/{self.rng.choice(('fbcunn', 'effect', 'spark', 'hello-world'))}"
        self.next_push_id += self.rng.randint(1, 9)
        listed = era != "slim"
        fields = {
            "era": era,
            "event_id": self.event_id(era),
            "user": self.rng.choice(_LOGINS),
            "repo": repo,
            "repo_id": self.rng.randint(1_000, 90_000_000),
            "created_at": created_at,
            "ref": "refs/heads/" + self.rng.choice(("master", "main", "develop", "feature/ü")),
            "head": commits[-1].sha if commits and listed else self.sha(),
            "before": self.sha() if era in ("events", "slim") else None,
            "push_id": None if era == "timeline" else self.next_push_id,
            "size": len(commits) if listed else None,
            "distinct_size": sum(bool(c.distinct) for c in commits) if era == "events" else None,
            "commits": tuple(commits) if listed else None,
        }
        return FakePush(**(fields | overrides))

    def other(self, era: Era, kind: str, created_at: datetime) -> dict[str, Any]:
        """A non-push event of `kind`, already rendered."""
        user = self.rng.choice(_LOGINS)
        repo = f"{self.rng.choice(_LOGINS[:3])}/spark"
        number = self.rng.randint(1, 9999)
        issue = {
            "id": self.rng.randint(1, 10**9),
            "number": number,
            "title": "Parser crashes on PushEvent without commits",
            "user": {"login": user},
            "body": "Steps:\n1. run\n2. crash ✗",
        }
        payload: dict[str, Any] = {
            "IssuesEvent": {"action": "opened", "issue": issue},
            "WatchEvent": {"action": "started"},
            "PullRequestEvent": {
                "action": "opened",
                "number": number,
                "pull_request": {
                    "title": "Refactor everything",
                    "body": "Long description. " * 600,
                    "head": {"ref": "refs/heads/topic", "sha": self.sha(), "repo": {"name": repo}},
                    "base": {"ref": "master", "sha": self.sha(), "repo": {"name": repo}},
                    "commits": 3,
                    "additions": 1200,
                    "files": [{"filename": f"src/module_{i}.py"} for i in range(60)],
                },
            },
            "IssueCommentEvent": {
                "action": "created",
                "issue": issue,
                "comment": {"id": self.rng.randint(1, 10**9), "body": COMMENT_TRAP},
            },
        }[kind]
        if era == "legacy":
            payload |= {"repo": repo, "actor": user}
        return _envelope(
            era,
            kind,
            payload,
            user=user,
            repo=repo,
            repo_id=self.rng.randint(1_000, 90_000_000),
            created_at=created_at,
            event_id=self.event_id(era),
        )

    def specials(self, era: Era, created_at: datetime) -> list[FakePush]:
        """Pushes covering every awkward case the era can express."""
        commit = self.commit
        paragraph = "Paragraph {}: ümlaut, 漢字, emoji 🚀, «quotes»."
        long_message = "\n".join(paragraph.format(i) for i in range(90))
        varied = [
            commit(era, message=long_message),
            commit(era, author_email=self.email("hashed"), author_name=""),
            commit(era, author_email=self.email("bare")),
            commit(era, author_email=self.email("empty")),
            commit(era, author_email=self.email("plain"), message="Line one\n\nLine three"),
        ]
        pushes = [
            self.push(era, created_at, varied),
            self.push(era, created_at, []),
            self.push(era, created_at, ref="refs/tags/v1.2.0"),
            self.push(era, created_at, ref="refs/notes/commits"),
        ]
        if era in ("events", "slim"):
            pushes[1] = replace(pushes[1], before=pushes[1].head)
        if era != "slim":
            capped = [commit(era) for _ in range(20)]
            distinct_size = 859 if era == "events" else None
            pushes.append(self.push(era, created_at, capped, size=859, distinct_size=distinct_size))
            shared = varied[2]
            pushes.append(self.push(era, created_at, [shared, commit(era)], repo="fork-owner/fork"))
        if era == "legacy":
            pushes.append(self.push(era, created_at, deleted_repo=True, repo_id=None))
        if era == "timeline":
            pushes.append(self.push(era, created_at, slash_date=True))
        return pushes


# hours and days


@dataclass
class Line:
    """One physical line of an hour file and what a careful reader can get out of it."""

    data: bytes
    kept: tuple[int, ...]
    fragments: int = 0
    nul_run: bool = False

    @property
    def damaged(self) -> bool:
        return self.fragments > 0 or len(self.kept) != 1


@dataclass
class FakeHour:
    """The records of one hour file and the damage done to its bytes."""

    source_file: str
    records: list[Record]
    lines: list[Line] = field(default_factory=list)
    newline_at_end: bool = True
    gzip_cut: int | None = None
    not_gzip: bool = False

    def __post_init__(self) -> None:
        if not self.lines:
            self.lines = [Line(encode(render(r)), (i,)) for i, r in enumerate(self.records)]

    def raw(self) -> bytes:
        """The uncompressed file content."""
        end = b"\n" if self.newline_at_end else b""
        return b"\n".join(line.data for line in self.lines) + end

    def body(self) -> bytes:
        """The bytes the archive serves for this hour."""
        if self.not_gzip:
            return no_such_key(self.source_file)
        compressed = gzip.compress(self.raw(), compresslevel=9, mtime=0)
        return compressed[: self.gzip_cut] if self.gzip_cut else compressed

    def surviving_lines(self) -> tuple[list[Line], int]:
        """The complete lines a reader gets, and 1 if a partial line follows a gzip break."""
        if self.not_gzip:
            return [], 0
        if self.gzip_cut is None:
            return self.lines, 0
        complete = _inflate(self.body()).count(b"\n")
        return self.lines[:complete], 1

    # damage

    def nul_run(self, record: int) -> FakeHour:
        """Replace a record by a run of NUL bytes (2018-06-08-2)."""
        at = self._line_of(record)
        self.lines[at] = Line(b"\0" * len(self.lines[at].data), (), nul_run=True)
        return self

    def cut_and_glue(self, record: int) -> FakeHour:
        """Cut a record mid-string and glue the next line on (2017-11-08-1): the next survives.

        The cut falls in the first string after the record's `"type"`, so the type stays visible.
        """
        at = self._line_of(record)
        following = self.lines[at + 1]
        if following.damaged:
            raise ValueError("the glued-on line must be an intact record")
        data = _cut_mid_string(self.lines[at].data) + following.data
        self.lines[at : at + 2] = [Line(data, following.kept, 1)]
        return self

    def truncate_last(self) -> FakeHour:
        """End the file in its last record, after its type, as in `"repo":nul` (2020-10-30-17)."""
        *_, last = self.lines
        if last.damaged:
            raise ValueError("the last line must be an intact record")
        key = _REPO_KEY.search(last.data, _type_end(last.data))
        self.lines[-1] = Line(last.data[: key.end()] + b"nul", (), 1)
        self.newline_at_end = False
        return self

    def glue(self, record: int, count: int = 2) -> FakeHour:
        """Join `count` records with no newline between them (`}{`, 2011-2012 files)."""
        at = self._line_of(record)
        group = self.lines[at : at + count]
        if len(group) < count or any(line.damaged for line in group):
            raise ValueError("glue needs intact records")
        kept = tuple(i for line in group for i in line.kept)
        self.lines[at : at + count] = [Line(b"".join(line.data for line in group), kept)]
        return self

    def truncate_gzip(self, record: int) -> FakeHour:
        """Break the gzip stream inside a record's line, after its `"type"` member.

        The partial line keeps at least _MIN_TAIL bytes so that every inflater gives the same
        complete lines; a reader must keep the lines before it.
        """
        at = self._line_of(record)
        data = self.lines[at].data
        start = sum(len(line.data) + 1 for line in self.lines[:at])
        keep = max(_MIN_TAIL, _type_end(data) + 64)
        if keep >= len(data):
            raise ValueError(f"record {record} is too short to cut after its type")
        compressed = gzip.compress(self.raw(), compresslevel=9, mtime=0)
        low, high = 0, len(compressed)
        while low < high:  # the shortest prefix that inflates past start + keep
            middle = (low + high) // 2
            if len(_inflate(compressed[:middle])) >= start + keep:
                high = middle
            else:
                low = middle + 1
        if len(_inflate(compressed[:low])) >= start + len(data):
            raise ValueError(f"no gzip break inside record {record}")
        self.gzip_cut = low
        return self

    def make_not_gzip(self) -> FakeHour:
        """Serve the NoSuchKey XML with status 200 instead of gzip."""
        self.not_gzip = True
        return self

    def _line_of(self, record: int) -> int:
        for at, line in enumerate(self.lines):
            if line.kept == (record,) and not line.damaged:
                return at
        raise ValueError(f"record {record} is not an intact line")


def _inflate(truncated_gzip: bytes) -> bytes:
    return zlib.decompressobj(wbits=31).decompress(truncated_gzip)


def _type_end(data: bytes) -> int:
    """The offset just after a record's `"type":"..."` member."""
    return data.index(b'"', data.index(b'"type":"') + len(b'"type":"')) + 1


def _cut_mid_string(data: bytes) -> bytes:
    return data[: data.index(b'":"', _type_end(data)) + len(b'":"') + 3]


@dataclass
class FakeDay:
    """One day of the archive: the hours present (absent hours are 404s)."""

    day: date
    hours: dict[int, FakeHour]

    def lines(self) -> dict[int, list[bytes]]:
        """The raw lines of each present hour, damage included."""
        return {hour: [line.data for line in fake.lines] for hour, fake in self.hours.items()}

    def write(self, root: Path) -> list[Path]:
        """Write every present hour under its archive file name."""
        root.mkdir(parents=True, exist_ok=True)
        paths = [root / fake.source_file for fake in self.hours.values()]
        for path, fake in zip(paths, self.hours.values(), strict=True):
            path.write_bytes(fake.body())
        return paths


def write_hour(root: Path, source_file: str, lines: Iterable[bytes]) -> Path:
    """Gzip hand-written lines as one hour file."""
    path = root / source_file
    path.write_bytes(gzip.compress(b"".join(line + b"\n" for line in lines), 9, mtime=0))
    return path


def fake_day(
    day: date,
    *,
    eras: Sequence[Era] | None = None,
    seed: int = 0,
    hours: Iterable[int] = range(24),
    pushes_per_hour: int = 4,
    others_per_hour: int = 3,
) -> FakeDay:
    """An undamaged day; the first hour holds every special case of each era, and duplicates.

    The first hour repeats one push of each era at its end; the second hour repeats another.
    From 2025-05-24 some events of an hour were created in the previous hour.
    """
    generate = _Generator(day, seed)
    eras = tuple(eras or (era_of(day),))
    present = sorted(hours)
    records: dict[int, list[Record]] = {}
    for hour in present:
        hour_records: list[Record] = []
        for n in range(pushes_per_hour):
            era = generate.rng.choice(eras)
            late = day >= date(2025, 5, 24) and era != "timeline" and hour > 0 and n == 0
            created_at = generate.created_at(era, hour) - timedelta(hours=1 if late else 0)
            hour_records.append(generate.push(era, created_at))
        for n in range(others_per_hour):
            era = generate.rng.choice(eras)
            kind = OTHER_KINDS[n % len(OTHER_KINDS)]
            hour_records.append(generate.other(era, kind, generate.created_at(era, hour)))
        generate.rng.shuffle(hour_records)
        records[hour] = hour_records
    first = records[present[0]]
    for era in eras:
        specials = generate.specials(era, generate.created_at(era, present[0]))
        first.extend(specials)
        first.extend(generate.other(era, kind, specials[0].created_at) for kind in OTHER_KINDS)
        first.append(specials[2])
        records[present[min(1, len(present) - 1)]].append(specials[3])
    return FakeDay(day, {h: FakeHour(hour_file_name(day, h), records[h]) for h in present})


def fake_damaged_day(day: date, *, eras: Sequence[Era] | None = None, seed: int = 0) -> FakeDay:
    """A day with every kind of damage: hours 2-7 damaged, hours 8 and 9 missing.

    Every damaged line holds a PushEvent, so a reader that only inspects lines mentioning
    `"PushEvent"` must count the same damage as one that reads every line.
    """
    fake = fake_day(day, eras=eras, seed=seed)
    hours = fake.hours
    hours[2].nul_run(_pushes(hours[2])[0])
    hours[3].cut_and_glue(_pushes(hours[3])[0])
    ordered = sorted(hours[4].records, key=lambda record: isinstance(record, FakePush))
    hours[4] = FakeHour(hours[4].source_file, ordered).truncate_last()
    hours[5].glue(_pushes(hours[5])[0], 3)
    hours[6].truncate_gzip(_pushes(hours[6])[1])
    hours[7].make_not_gzip()
    del hours[8], hours[9]
    return fake


def _pushes(hour: FakeHour) -> list[int]:
    """Indices of the push records that have two more records after them."""
    return [i for i, r in enumerate(hour.records[:-2]) if isinstance(r, FakePush)]
