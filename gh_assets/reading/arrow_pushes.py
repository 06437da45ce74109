"""Events-API push lines read in bulk by Arrow's JSON reader: the fast path of the transform.

A batch of lines is read with an explicit schema, and accepted only where Arrow's reading provably
equals the normative reading in `events.py`: one object per line, every push with an `id`, an
`actor.login`, a `repo.name` other than `/`, a `YYYY-MM-DDTHH:MM:SSZ` time and a list of commit
objects (or none), and no `payload.shas` anywhere. Otherwise (older formats, damage, odd types)
`read_push_lines` returns None and the batch is read line by line; Arrow refuses a value whose
type differs from the schema or a number beyond int64 (which the line-by-line reader makes null, as
`events` does), so nothing is coerced silently.
"""

from __future__ import annotations

import io

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from gh_assets.tables.arrays import from_numpy, repeated, scalar, to_numpy
from gh_assets.tables.catalogue import COMMITS, PUSH_EVENTS, UTC_MICROS

_AUTHOR = pa.struct([("email", pa.string()), ("name", pa.string())])
_COMMIT = pa.struct(
    [("sha", pa.string()), ("author", _AUTHOR), ("message", pa.string()), ("distinct", pa.bool_())]
)
_PAYLOAD = pa.struct(
    [
        ("push_id", pa.int64()),
        ("size", pa.int64()),
        ("distinct_size", pa.int64()),
        ("ref", pa.string()),
        ("head", pa.string()),
        ("before", pa.string()),
        ("repository_id", pa.int64()),
        ("commits", pa.list_(_COMMIT)),
    ]
)
PUSH_LINE_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("type", pa.string()),
        ("actor", pa.struct([("login", pa.string())])),
        ("repo", pa.struct([("id", pa.int64()), ("name", pa.string())])),
        ("repository", pa.struct([("id", pa.int64())])),
        ("payload", _PAYLOAD),
        ("created_at", pa.string()),
    ]
)
_READ_OPTIONS = pj.ReadOptions(use_threads=False)
_PARSE_OPTIONS = pj.ParseOptions(
    explicit_schema=PUSH_LINE_SCHEMA, unexpected_field_behavior="ignore"
)
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_PUSH_EVENT, _EMPTY, _DELETED_REPO = (scalar(text, pa.string()) for text in ("PushEvent", "", "/"))
_YEAR_ONE = scalar(1, pa.int64())
_PER_PUSH_IN_COMMITS = ("event_id", "push_id", "created_at", "user", "repo", "ref")
_OLD_FORMAT_COMMITS = b'"shas"'


def read_push_lines(lines: list[bytes]) -> pa.StructArray | None:
    """The PushEvents among `lines` as one struct per event, or None if Arrow may differ."""
    data = b"\n".join(lines)
    if _OLD_FORMAT_COMMITS in data:
        return None
    try:
        table = pj.read_json(
            io.BytesIO(data), read_options=_READ_OPTIONS, parse_options=_PARSE_OPTIONS
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    if table.num_rows != len(lines):  # objects glued on one line: the careful reader splits them
        return None
    events = pa.StructArray.from_arrays(
        [column.combine_chunks() for column in table.columns], names=table.column_names
    )
    pushes = events.filter(pc.equal(events.field("type"), _PUSH_EVENT))
    return pushes if _readable_as_is(pushes) else None


def _readable_as_is(pushes: pa.StructArray) -> bool:
    actor, repo, payload = (_fields(pushes.field(name)) for name in ("actor", "repo", "payload"))
    login, name = actor["login"], repo["name"]
    commits = payload["commits"]
    required = (pushes.field("id"), login, name, pushes.field("created_at"))
    return not (
        any(column.null_count for column in required)
        or pc.any(pc.equal(login, _EMPTY)).as_py()
        or pc.any(pc.equal(name, _DELETED_REPO)).as_py()
        or pc.list_flatten(commits).null_count
        or not _times_read_exactly(pushes.field("created_at"))
    )


def _fields(struct: pa.StructArray) -> dict[str, pa.Array]:
    """A struct's children with the struct's own nulls carried into them."""
    return dict(zip([field.name for field in struct.type], struct.flatten(), strict=True))


def _times_read_exactly(texts: pa.Array) -> bool:
    """Whether every time parses and prints back unchanged, in years Python can hold.

    Arrow's parser also takes what Python's refuses (February 30, second 60, a leading space,
    year 0); such a time does not print back the same. An hour has a few thousand distinct times.
    """
    texts = pc.unique(texts)
    parsed = pc.strptime(texts, _TIME_FORMAT, "us", error_is_null=True)
    printed = pc.strftime(parsed.cast(pa.timestamp("s")), _TIME_FORMAT)
    return (
        not parsed.null_count
        and pc.all(pc.equal(printed, texts)).as_py() is not False
        and pc.all(pc.greater_equal(pc.year(parsed), _YEAR_ONE)).as_py() is not False
    )


def _created_at(pushes: pa.StructArray) -> pa.Array:
    parsed = pc.strptime(pushes.field("created_at"), _TIME_FORMAT, "us")
    return parsed.cast(UTC_MICROS)


def push_tables(pushes: pa.StructArray, source_file: str) -> tuple[pa.Table, pa.Table]:
    """`push_events` and `commits` rows of events accepted by `read_push_lines`."""
    payload = _fields(pushes.field("payload"))
    repo = _fields(pushes.field("repo"))
    commits = payload["commits"]
    per_push = {
        "event_id": pushes.field("id"),
        "push_id": payload["push_id"],
        "created_at": _created_at(pushes),
        "user": _fields(pushes.field("actor"))["login"],
        "repo": repo["name"],
        "repo_id": pc.coalesce(
            repo["id"], _fields(pushes.field("repository"))["id"], payload["repository_id"]
        ),
        "ref": payload["ref"],
        "head": payload["head"],
        "before": payload["before"],
        "size": payload["size"],
        "distinct_size": payload["distinct_size"],
        "commit_count": pc.list_value_length(commits).cast(pa.int32()),
        "source_file": repeated(source_file, len(pushes)),
    }
    parents = pc.list_parent_indices(commits)
    listed = _fields(pc.list_flatten(commits))
    author = _fields(listed["author"])
    offsets = to_numpy(commits.offsets)
    index = np.arange(len(parents)) + offsets[0] - offsets[to_numpy(parents)]
    per_commit = {
        **{name: per_push[name].take(parents) for name in _PER_PUSH_IN_COMMITS},
        "commit_index": from_numpy(index, pa.int32()),
        "sha": listed["sha"],
        "author_name": author["name"],
        "author_email": author["email"],
        "message": listed["message"],
        "distinct": listed["distinct"],
        "source_file": repeated(source_file, len(parents)),
    }
    return (
        pa.Table.from_pydict(per_push, schema=PUSH_EVENTS.schema),
        pa.Table.from_pydict(per_commit, schema=COMMITS.schema),
    )
