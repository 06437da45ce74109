"""The catalogue of output tables: each one's name (its asset key), description, columns and where
its days are.

Writers, assets, checks and the README read a table from here; adding a table is adding an entry
(and the code that fills it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from functools import cached_property

import pyarrow as pa


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    description: str
    repeats: bool = False  # few distinct values a day: a Parquet dictionary makes it smaller


@dataclass(frozen=True)
class Table:
    """One table: `<storage>/<name>/date=YYYY-MM-DD/data.parquet`, one file per day."""

    name: str
    description: str
    columns: tuple[Column, ...]
    # Dagster's code version of the code that writes the table: change it with a change of what
    # that code writes, and every day built before shows stale and is rebuilt by the next run
    code_version: str = "1"

    @cached_property
    def schema(self) -> pa.Schema:
        return pa.schema([pa.field(column.name, column.type) for column in self.columns])

    @cached_property
    def parquet_options(self) -> dict:
        """How its files and hourly parts are written: zstd, and a dictionary only for the
        columns whose values repeat (one of ids, hashes, times, messages or payloads would cost
        CPU to build and bytes to store: measured in the commit that chose this)."""
        dictionary = [column.name for column in self.columns if column.repeats]
        return {**PARQUET_COMPRESSION, "use_dictionary": dictionary}

    def day_dir(self, day: dt.date) -> str:
        """The folder of a day's partition, below the storage root (Hive style: `date=...`)."""
        return f"{self.name}/date={day.isoformat()}"

    def day_file(self, day: dt.date) -> str:
        """The day's one file, below the storage root."""
        return f"{self.day_dir(day)}/{DAY_FILE}"


DAY_FILE = "data.parquet"
# zstd at level 1: against level 3, about 1/3 less encoding CPU, and with dictionaries only where
# values repeat the files are smaller than level 3 with a dictionary for every column
PARQUET_COMPRESSION = {"compression": "zstd", "compression_level": 1}
UTC_MICROS = pa.timestamp("us", tz="UTC")
# Descriptions are plain text: the UI shows some of them (the catalog, column schemas) unrendered.
DAY_NOTE = (
    " A day's partition holds the files named for that day; created_at may fall outside it "
    "(2012-2014 files are named in US Pacific time, and since 2025-05-24 a file can hold late "
    "events)."
)

# An archive number that does not fit an int64 column (no real id or count does) is read as null,
# in every table alike, rather than failing its hour.
BEYOND_INT64 = " Null for a number beyond 64-bit integers."

# Columns that several tables share, declared once.
PUSH_ID = Column("push_id", pa.int64(), "GitHub's push id (absent in 2012-2014)." + BEYOND_INT64)
EVENT_CREATED_AT = Column("created_at", UTC_MICROS, "When the event was created, in UTC.")
PUSHER = Column("user", pa.string(), "Login of the pusher.", repeats=True)
REPO = Column("repo", pa.string(), "Repository as owner/name.", repeats=True)
SOURCE_FILE = Column("source_file", pa.string(), "Archive file the event was read from.", True)


MANIFEST = Table(
    "gharchive_manifest",
    "The day's 24 hourly archive files (YYYY-MM-DD-H.json.gz, H = 0..23) with whether each "
    "exists, its size, ETag and Last-Modified. A missing hour is a normal outcome.",
    (
        Column("hour", pa.int8(), "Hour of the file's name (0-23)."),
        Column("filename", pa.string(), "Archive file name, e.g. 2015-01-01-0.json.gz."),
        Column("url", pa.string(), "URL the file was probed at."),
        Column("exists", pa.bool_(), "Whether the archive has the file (HEAD answered 200)."),
        Column("status", pa.int16(), "HTTP status of the HEAD request."),
        Column("size", pa.int64(), "Compressed size in bytes, when the file exists."),
        Column("etag", pa.string(), "ETag the archive gave, if any."),
        Column("last_modified", pa.string(), "Last-Modified the archive gave, if any."),
    ),
)
PUSH_EVENTS = Table(
    "push_events",
    "Every PushEvent of the day's archive files, one row per push, all three formats of the "
    "archive read into one schema. Pushes since 2025-10-07 have no commit list: they are kept, "
    "with null size and commit_count." + DAY_NOTE,
    (
        Column(
            "event_id", pa.string(), "Event id; for 2012-2014 events (no id) a SHA-1 of the event."
        ),
        PUSH_ID,
        EVENT_CREATED_AT,
        PUSHER,
        REPO,
        Column("repo_id", pa.int64(), "Repository id, where the format gives it." + BEYOND_INT64),
        Column(
            "ref",
            pa.string(),
            "Pushed ref: a branch (refs/heads/NAME), a tag (refs/tags/NAME) or a note "
            "(refs/notes/NAME).",
            True,
        ),
        Column("head", pa.string(), "SHA of the ref after the push."),
        Column("before", pa.string(), "SHA of the ref before the push (2015 on)."),
        Column(
            "size", pa.int64(), "Commits in the push (null since 2025-10-07)." + BEYOND_INT64, True
        ),
        Column(
            "distinct_size",
            pa.int64(),
            "Distinct commits in the push (2015 to 2025-10-06)." + BEYOND_INT64,
            True,
        ),
        Column(
            "commit_count",
            pa.int32(),
            "Commits listed (at most 20); null when there is no list.",
            repeats=True,
        ),
        SOURCE_FILE,
    ),
)
COMMITS = Table(
    "commits",
    "One row per commit listed in the day's pushes (at most 20 per push; size on the push is "
    "the true count). A commit is identified by (event_id, commit_index): the same sha can be in "
    "several pushes." + DAY_NOTE,
    (
        Column("event_id", pa.string(), "Event id of the push that lists the commit."),
        Column(
            "commit_index", pa.int32(), "Position of the commit in the push's list, from 0.", True
        ),
        Column("sha", pa.string(), "Commit SHA (not unique: a commit can be in several pushes)."),
        PUSH_ID,
        Column("created_at", UTC_MICROS, "When the push event was created, in UTC."),
        PUSHER,
        REPO,
        Column("ref", pa.string(), "Pushed ref.", repeats=True),
        Column("author_name", pa.string(), "Commit author's name as listed (may be empty).", True),
        Column(
            "author_email", pa.string(), "Author email as GH Archive scrambles it, unchanged.", True
        ),
        Column("message", pa.string(), "Commit message."),
        Column(
            "distinct", pa.bool_(), "Whether the commit is new to the repo (null before 2012-03)."
        ),
        SOURCE_FILE,
    ),
)

EVENTS = Table(
    "events",
    "Every event of every type in the day's archive files, one row per event, the three formats "
    "of the archive read into one schema with the same damage recovery and de-duplication as "
    "push_events (first file, then first line, wins). payload keeps the whole payload as JSON "
    "text; the other columns resolve each era's quirks; a value an era does not have is null."
    + DAY_NOTE,
    (
        Column(
            "event_id",
            pa.string(),
            "Event id; for 2012-2014 events (no id) a SHA-1 of the event's canonical JSON, the "
            "same key as push_events.event_id.",
        ),
        Column(
            "type", pa.string(), "Event type, e.g. PushEvent, WatchEvent, PullRequestEvent.", True
        ),
        EVENT_CREATED_AT,
        Column(
            "actor_id", pa.int64(), "Actor's user id (actor.id); null in 2012-2014." + BEYOND_INT64
        ),
        Column(
            "actor_login",
            pa.string(),
            "Actor's login: actor.login, the 2012-2014 actor string or "
            "actor_attributes.login, else 2011's payload.actor; null when none is given.",
            repeats=True,
        ),
        Column(
            "repo_id",
            pa.int64(),
            "Repository id: repo.id, 2012-2014 repository.id, else payload.repository_id."
            + BEYOND_INT64,
        ),
        Column(
            "repo",
            pa.string(),
            "Repository as owner/name: repo.name, owner/name of 2012-2014 repository, or "
            "2011's payload.repo for a deleted repository; null for events without one "
            "(e.g. 2012-2014 Gist and Follow events).",
            repeats=True,
        ),
        Column(
            "org_id",
            pa.int64(),
            "Organisation id (org.id, 2015 on); null otherwise." + BEYOND_INT64,
        ),
        Column(
            "org_login",
            pa.string(),
            "Organisation login: org.login (2015 on) or 2012-2014 repository.organization; "
            "null for repositories of users.",
            repeats=True,
        ),
        Column("public", pa.bool_(), "The event's public flag."),
        Column(
            "action",
            pa.string(),
            "payload.action where the payload has one (Issues, IssueComment, PullRequest, "
            "PullRequestReview(Comment), Release, Member, Watch: started, 2012-2014 Gist); "
            "null otherwise.",
            repeats=True,
        ),
        Column(
            "payload",
            pa.string(),
            "The payload as JSON text, exactly as it is in the archive line (nothing dropped or "
            "reformatted); query it with JSON functions. Since 2025-10-07 GitHub sends reduced "
            "payloads (pushes without commits, pull requests as stubs).",
        ),
        Column("is_bot", pa.bool_(), "Whether actor_login ends in [bot] (a GitHub App)."),
        SOURCE_FILE,
    ),
)
REPO_ACTIVITY = Table(
    "repo_activity",
    "One row per repository and day: the day's events of each kind, counted with DuckDB from "
    "that day's events file (events without a repository are not counted). Figures that need "
    "payload fields GitHub removed on 2025-10-07 are null for such events' days." + DAY_NOTE,
    (
        Column("repo", pa.string(), "Repository as owner/name (events.repo)."),
        Column(
            "repo_id",
            pa.int64(),
            "Largest repository id seen with this name that day; null when no event gives one.",
        ),
        Column("events", pa.int64(), "Events of the repository that day."),
        Column("pushes", pa.int64(), "PushEvents."),
        Column("stars", pa.int64(), "WatchEvents (GitHub's star event)."),
        Column("forks", pa.int64(), "ForkEvents."),
        Column(
            "pull_requests_opened",
            pa.int64(),
            "PullRequestEvents with action opened (still sent as stubs after 2025-10-07).",
        ),
        Column(
            "pull_requests_merged",
            pa.int64(),
            "PullRequestEvents with action closed and payload.pull_request.merged true; null "
            "when any closed pull request of the repository that day has no merged field "
            "(the stub payloads since 2025-10-07).",
        ),
        Column("issues_opened", pa.int64(), "IssuesEvents with action opened."),
        Column("issue_comments", pa.int64(), "IssueCommentEvents."),
        Column("releases", pa.int64(), "ReleaseEvents."),
        Column(
            "commits",
            pa.int64(),
            "Sum of the pushes' payload.size (commits pushed); null when any push of the "
            "repository that day has no size (pushes since 2025-10-07).",
        ),
        Column("actors", pa.int64(), "Distinct non-null actor logins."),
        Column("bot_events", pa.int64(), "Events whose actor is a bot (is_bot)."),
        Column("first_event_at", UTC_MICROS, "Earliest created_at."),
        Column("last_event_at", UTC_MICROS, "Latest created_at."),
    ),
)


_API_DESCRIPTIONS = {
    "event_id": "Event id of the push (without a commit list) the commit was asked for.",
    "commit_index": "Position of the commit in GitHub's compare answer, oldest first, from 0.",
    "author_email": "Author email scrambled as GH Archive does: SHA-1 of the local part, @domain.",
    "distinct": "Null: the API does not say whether the commit was new to the repository.",
}

API_COMMITS = Table(
    "api_commits",
    "One row per commit that GitHub's REST API (compare/{before}...{head}) lists for each push "
    "of the day without a commit list (since 2025-10-07), in the repositories followed "
    "(GH_ASSETS_API_COMMITS_REPOS). The columns of commits plus source, so the two tables "
    "union." + DAY_NOTE,
    tuple(
        replace(column, description=description)
        if (description := _API_DESCRIPTIONS.get(column.name))
        else column
        for column in COMMITS.columns
    )
    + (Column("source", pa.string(), "Where the row comes from: api (GitHub's REST API)."),),
)

TABLES = (MANIFEST, PUSH_EVENTS, COMMITS, EVENTS, REPO_ACTIVITY, API_COMMITS)
ARCHIVE_TABLES = (PUSH_EVENTS, COMMITS, EVENTS)  # read from the archive's hour files, on Dask
BY_NAME = {table.name: table for table in TABLES}
