"""Every event of any era as one `events` row: the normative, line-by-line reading.

A line is one event when it is valid UTF-8 and holds exactly one JSON event object (a `type`
ending in `Event` and a `created_at`), read by orjson or, where orjson refuses a value Python's
json takes (a number beyond double range), by json. Any other line is damaged: every complete event
in it is recovered (`records.recover_event_texts`) and the rest counted as skipped fragments. The
era rules are those of `push_events` (`events.py`); `payload` is the payload's JSON text exactly as
it stands in the line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import orjson

from gh_assets.reading.events import (
    as_int64,
    created_at_micros,
    event_key,
    event_repo,
    event_repo_id,
    event_user,
)
from gh_assets.reading.records import is_event, recover_event_texts

_JSON_WHITESPACE = " \t\n\r"
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_decoder = json.JSONDecoder()
_scan_key = json.decoder.scanstring


@dataclass
class EventsRead:
    """The accounting of the events of one file: nothing read is dropped without a count here."""

    events: int = 0
    duplicates_dropped: int = 0
    damaged_lines: int = 0
    objects_recovered: int = 0
    fragments_skipped: int = 0


def line_events(line: bytes, read: EventsRead) -> list[tuple[dict, str]]:
    """The events of one line, each with its JSON text; damage is counted in `read`."""
    try:
        text = line.decode()
    except UnicodeDecodeError:
        text = None
    if text is not None:
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError:
            value = None
        if is_event(value):
            return [(value, text.strip(_JSON_WHITESPACE))]
    found, fragments = recover_event_texts(
        line.decode("utf-8", "replace") if text is None else text
    )
    if text is not None and value is None and fragments == 0 and len(found) == 1:
        return found  # one whole event that only orjson refuses (a number beyond double range)
    read.damaged_lines += 1
    read.objects_recovered += len(found)
    read.fragments_skipped += fragments
    return found


def member_text(text: str, key: str) -> str | None:
    """The JSON text of the last top-level member `key` of the object that starts `text`."""
    found = None
    position = _WHITESPACE.match(text, 1).end()
    if text[position] == "}":
        return None
    while True:
        name, position = _scan_key(text, position + 1)
        position = _WHITESPACE.match(text, _WHITESPACE.match(text, position).end() + 1).end()
        _, end = _decoder.raw_decode(text, position)
        if name == key:
            found = text[position:end]
        position = _WHITESPACE.match(text, end).end()
        if text[position] == "}":
            return found
        position = _WHITESPACE.match(text, position + 1).end()


def event_row(event: dict, payload: object, action: object) -> tuple:
    """An `events` row without `source_file`, from the event's envelope values.

    Both readers call this: `event` holds at least the members the row reads (the fast reader
    passes only those), `payload` is the payload's JSON text and `action` its `action` value.
    """
    actor = event.get("actor")
    org = event.get("org")
    repository = event.get("repository")
    if isinstance(org, dict):
        org_id, org_login = as_int64(org.get("id")), _text(org.get("login"))
    elif isinstance(repository, dict):
        org_id, org_login = None, _text(repository.get("organization"))
    else:
        org_id = org_login = None
    login = _text(event_user(event))
    public = event.get("public")
    return (
        event_key(event),
        _text(event.get("type")),
        created_at_micros(event.get("created_at")),
        as_int64(actor.get("id")) if isinstance(actor, dict) else None,
        login,
        event_repo_id(event),
        _text(event_repo(event)),
        org_id,
        org_login,
        public if isinstance(public, bool) else None,
        _text(action),
        payload,
        None if login is None else login.endswith("[bot]"),
    )


def careful_row(event: dict, text: str) -> tuple:
    """The row of an event read by json or orjson, `text` being its JSON object."""
    payload = event.get("payload")
    action = payload.get("action") if isinstance(payload, dict) else None
    raw = member_text(text, "payload")
    return event_row(event, None if raw is None else raw.encode(), action)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
