"""Events-API lines read by msgspec without parsing their payloads: the fast path of `events`.

msgspec decodes a line's envelope into typed structs and keeps the payload as raw JSON text
(`msgspec.Raw`), checking its syntax without building it. A line is accepted only where the
result provably equals the normative reading (`event_rows.py`): the line decoded whole into the
expected types (msgspec refuses what orjson and json refuse, except invalid UTF-8, which the
caller checks per batch, and numbers beyond double range, which `event_rows` reads as whole events
too); an `id`; a `type` ending in `Event` and a `created_at`; an `actor.login` that is a non-empty
string; a `repo` with a `name` other than `/` and an integer `id`; no `repository` or
`actor_attributes` (the 2012-2014 members the era rules fall back to). Both parsers keep the last of
repeated keys. Anything else returns None and the line is read carefully.

Known limit: a line nested deeper than Python's json can follow (about 900 levels; msgspec follows
997) that also holds a number beyond double range would be read here, and as damage there.
"""

from __future__ import annotations

import msgspec
from msgspec import UNSET, UnsetType

from gh_assets.reading.events import created_at_micros, within_int64

_NO_TEXT = msgspec.Raw()


class _Account(msgspec.Struct):  # a user (the actor) or an organisation
    id: int | None = None
    login: str | None = None


class _Repo(msgspec.Struct):
    id: int | None = None
    name: str | None = None


class _Envelope(msgspec.Struct):
    id: str | UnsetType = UNSET
    type: str | None = None
    actor: _Account | None = None
    repo: _Repo | None = None
    org: _Account | None = None
    payload: msgspec.Raw = _NO_TEXT
    public: bool | None = None
    created_at: str | None | UnsetType = UNSET
    repository: msgspec.Raw = _NO_TEXT
    actor_attributes: msgspec.Raw = _NO_TEXT


class _Action(msgspec.Struct):
    action: object = None


_decode_envelope = msgspec.json.Decoder(_Envelope).decode
_decode_action = msgspec.json.Decoder(_Action).decode
_REFUSED = (msgspec.DecodeError, msgspec.ValidationError, RecursionError)


def fast_row(line: bytes | memoryview) -> tuple | None:
    """The `events` row of an accepted line (its payload as `msgspec.Raw`), or None."""
    try:
        event = _decode_envelope(line)
    except _REFUSED:
        return None
    actor, repo, org = event.actor, event.repo, event.org
    kind = event.type
    if (
        event.id is UNSET
        or kind is None
        or not kind.endswith("Event")
        or event.created_at is UNSET
        or actor is None
        or not actor.login
        or repo is None
        or repo.name is None
        or repo.name == "/"
        or repo.id is None
        or event.repository
        or event.actor_attributes
    ):
        return None
    payload = event.payload or None
    login = actor.login
    return (
        event.id,
        kind,
        created_at_micros(event.created_at),
        within_int64(actor.id),
        login,
        within_int64(repo.id),
        repo.name,
        None if org is None else within_int64(org.id),
        None if org is None else org.login,
        event.public,
        None if payload is None else _action(payload),
        payload,
        login.endswith("[bot]"),
    )


def _action(payload: msgspec.Raw) -> str | None:
    """The payload's `action` if it is a string: msgspec skips every other member unbuilt."""
    try:
        action = _decode_action(payload).action
    except _REFUSED:  # not an object
        return None
    return action if isinstance(action, str) else None
