"""Which repositories api_commits follows, from GH_ASSETS_API_COMMITS_REPOS."""

import pytest

from gh_assets.github.following import FollowedRepos


def test_owners_and_repositories_are_followed_ignoring_case():
    followed = FollowedRepos.parse(" acme/* , Octocat/Hello-World,")
    assert "acme/widgets" in followed and "ACME/Gadgets" in followed
    assert "octocat/hello-world" in followed
    assert "octocat/spoon-knife" not in followed and "acme-corp/widgets" not in followed
    assert str(followed) == "acme/*,octocat/hello-world"


@pytest.mark.parametrize(
    "text", ["acme", "acme/", "/x", "a/b/c", "acme/..", "ac me/x", ", ,", "*/*"]
)
def test_a_wrong_pattern_is_refused_by_name(text):
    with pytest.raises(ValueError, match="is not owner/name or owner/\\*|names no repository"):
        FollowedRepos.parse(text)
