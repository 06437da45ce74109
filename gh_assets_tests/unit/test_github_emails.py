"""Emails scrambled exactly as GH Archive scrambles them (crawler/obfuscate.rb and its test)."""

import pytest

from gh_assets.github.emails import scramble_email

SHA1_EMPTY = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
SHA1_ADMIN = "d033e22ae348aeb5660fc2140aec35850c4da997"


@pytest.mark.parametrize(
    ("email", "stored"),
    [
        # GH Archive's own test vectors (igrigorik/gharchive.org, crawler/obfuscate_test.rb)
        ("example@gharchive.org", "c3499c2729730a7f807efb8676a92dcb6f8a3f8f@gharchive.org"),
        ("1@gharchive.org", "356a192b7913b04c54574d18c28d46e6395428ab@gharchive.org"),
        ("2@gharchive.org", "da4b9237bacccdf19c0760cab7aec4a8359010b0@gharchive.org"),
        ("", ""),
        (None, None),
        # as in the real 2015-01-01-1 hour: lowercase hex, domain kept
        ("admin@omega8.cc", f"{SHA1_ADMIN}@omega8.cc"),
        # Ruby's split("@"): trailing empty fields dropped, only two fields kept
        ("admin", SHA1_ADMIN),
        ("admin@", SHA1_ADMIN),
        ("@", SHA1_EMPTY),
        ("@omega8.cc", f"{SHA1_EMPTY}@omega8.cc"),
        ("admin@omega8.cc@extra", f"{SHA1_ADMIN}@omega8.cc"),
    ],
)
def test_scrambled_like_the_archive(email, stored):
    assert scramble_email(email) == stored
