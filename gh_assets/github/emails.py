"""Author emails scrambled as GH Archive scrambles them, so that API rows union with its own."""

from __future__ import annotations

import hashlib


def scramble_email(email: str | None) -> str | None:
    """The SHA-1 hex (lowercase) of the local part, then `@domain`, as GH Archive stores an email.

    This is the archive's own rule (igrigorik/gharchive.org, crawler/obfuscate.rb), Ruby's
    `split("@")` included: an empty address stays empty, trailing empty fields are dropped, so an
    address without a domain becomes a bare hash, and only the first two fields are kept.
    """
    if not email:
        return email
    fields = email.split("@")
    while fields and not fields[-1]:
        fields.pop()
    hashed = hashlib.sha1((fields[0] if fields else "").encode()).hexdigest()
    return f"{hashed}@{fields[1]}" if len(fields) > 1 else hashed
