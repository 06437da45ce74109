"""Events other than pushes: their payloads in the Events API's shapes, with drawn values.

Issues, comments and pull requests nest full user and repository objects, which is where most
of an hour's bytes are; `Draws.body_chars` sets how long their texts run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gh_assets_tests.synthetic.draws import Draws
from gh_assets_tests.synthetic.eras import Era, is_modern
from gh_assets_tests.synthetic.shapes import API, EventHead, envelope, node_id, stamp, user_object
from gh_assets_tests.synthetic.truth import Person

OTHER_KINDS = (
    "CreateEvent",
    "DeleteEvent",
    "WatchEvent",
    "ForkEvent",
    "IssuesEvent",
    "IssueCommentEvent",
    "PullRequestEvent",
    "PullRequestReviewCommentEvent",
)
REPO_URLS = {
    "forks": "/forks",
    "keys": "/keys{/key_id}",
    "collaborators": "/collaborators{/collaborator}",
    "teams": "/teams",
    "hooks": "/hooks",
    "issue_events": "/issues/events{/number}",
    "events": "/events",
    "assignees": "/assignees{/user}",
    "branches": "/branches{/branch}",
    "tags": "/tags",
    "blobs": "/git/blobs{/sha}",
    "git_tags": "/git/tags{/sha}",
    "git_refs": "/git/refs{/sha}",
    "trees": "/git/trees{/sha}",
    "statuses": "/statuses/{sha}",
    "languages": "/languages",
    "stargazers": "/stargazers",
    "contributors": "/contributors",
    "subscribers": "/subscribers",
    "subscription": "/subscription",
    "commits": "/commits{/sha}",
    "git_commits": "/git/commits{/sha}",
    "comments": "/comments{/number}",
    "issue_comment": "/issues/comments{/number}",
    "contents": "/contents/{+path}",
    "compare": "/compare/{base}...{head}",
    "merges": "/merges",
    "archive": "/{archive_format}{/ref}",
    "downloads": "/downloads",
    "issues": "/issues{/number}",
    "pulls": "/pulls{/number}",
    "milestones": "/milestones{/number}",
    "notifications": "/notifications{?since,all,participating}",
    "labels": "/labels{/name}",
    "releases": "/releases{/id}",
    "deployments": "/deployments",
}


def other_event(
    draws: Draws, era: Era, kind: str, created_at: datetime, comment_body: str | None = None
) -> dict[str, Any]:
    """A rendered event of `kind` (one of OTHER_KINDS); `comment_body` fixes a comment's text."""
    actor = draws.person()
    repo_id, repo = draws.repo()
    payload = _Payloads(draws, created_at).of(kind, repo_id, repo, comment_body)
    if era == "legacy":
        payload |= {"repo": repo, "actor": actor.login}
    head = EventHead(
        kind, actor, repo, repo_id, created_at, draws.event_id(era), draws.org(created_at)
    )
    return envelope(era, head, payload)


class _Payloads:
    """Payloads drawn for one event created at `when`."""

    def __init__(self, draws: Draws, when: datetime) -> None:
        self.draws = draws
        self.rng = draws.rng
        self.when = when
        self.modern = is_modern(when)

    def of(self, kind: str, repo_id: int, full: str, comment_body: str | None) -> dict[str, Any]:
        draws, rng = self.draws, self.rng
        number = rng.randint(1, 30_000)
        match kind:
            case "CreateEvent":
                ref_type = rng.choice(["branch", "branch", "tag", "repository"])
                return {
                    "ref": None if ref_type == "repository" else draws.branch(),
                    "ref_type": ref_type,
                    "master_branch": "master",
                    "description": draws.text(40, 200) if rng.random() < 0.5 else None,
                    "pusher_type": "user",
                }
            case "DeleteEvent":
                return {"ref": draws.branch(), "ref_type": "branch", "pusher_type": "user"}
            case "WatchEvent":
                return {"action": "started"}
            case "ForkEvent":
                owner = draws.person()
                name = full.split("/")[1]
                return {"forkee": self.repository(repo_id + 7, f"{owner.login}/{name}", owner)}
            case "IssuesEvent":
                action = rng.choice(["opened", "closed", "reopened"])
                return {"action": action, "issue": self.issue(full, number)}
            case "IssueCommentEvent":
                return {
                    "action": "created",
                    "issue": self.issue(full, number, pr=rng.random() < 0.3),
                    "comment": self.comment(full, number, comment_body),
                }
            case "PullRequestEvent":
                action = rng.choice(["opened", "closed", "synchronize", "reopened"])
                pull_request = self.pull_request(repo_id, full, number)
                return {"action": action, "number": number, "pull_request": pull_request}
            case "PullRequestReviewCommentEvent":
                comment = self.comment(full, number, comment_body) | {
                    "path": f"src/{draws.branch()}.py",
                    "diff_hunk": draws.text(600, 3_000),
                    "commit_id": draws.sha(),
                    "original_commit_id": draws.sha(),
                }
                pull_request = self.pull_request(repo_id, full, number)
                return {"action": "created", "comment": comment, "pull_request": pull_request}
        raise ValueError(f"unknown event kind {kind!r}")

    def user(self, person: Person | None = None) -> Any:
        return user_object(person or self.draws.person(), self.modern)

    def repository(self, repo_id: int, full: str, owner: Person) -> dict[str, Any]:
        """The ~70-key repository object of forks and pull requests."""
        draws, rng = self.draws, self.rng
        url = f"{API}/repos/{full}"
        repository: dict[str, Any] = {"id": repo_id}
        if self.modern:
            repository["node_id"] = node_id(repo_id)
        repository |= {
            "name": full.split("/")[1],
            "full_name": full,
            "private": False,
            "owner": self.user(owner),
            "html_url": f"https://github.com/{full}",
            "description": draws.text(40, 200),
            "fork": rng.random() < 0.3,
            "url": url,
        }
        repository |= {f"{key}_url": url + path for key, path in REPO_URLS.items()}
        return repository | {
            "created_at": stamp(draws.past(self.when)),
            "updated_at": stamp(draws.past(self.when)),
            "pushed_at": stamp(draws.past(self.when)),
            "git_url": f"git://github.com/{full}.git",
            "ssh_url": f"git@github.com:{full}.git",
            "clone_url": f"https://github.com/{full}.git",
            "svn_url": f"https://github.com/{full}",
            "homepage": None,
            "size": rng.randint(0, 500_000),
            "stargazers_count": rng.randint(0, 5_000),
            "watchers_count": rng.randint(0, 5_000),
            "language": rng.choice(["Python", "JavaScript", "Go", "Java", None]),
            "has_issues": True,
            "has_projects": True,
            "has_downloads": True,
            "has_wiki": True,
            "has_pages": False,
            "forks_count": rng.randint(0, 900),
            "mirror_url": None,
            "archived": False,
            "disabled": False,
            "open_issues_count": rng.randint(0, 300),
            "license": None,
            "forks": rng.randint(0, 900),
            "open_issues": rng.randint(0, 300),
            "watchers": rng.randint(0, 5_000),
            "default_branch": "master",
        }

    def issue(self, full: str, number: int, pr: bool = False) -> dict[str, Any]:
        draws, rng = self.draws, self.rng
        url = f"{API}/repos/{full}/issues/{number}"
        issue_id = rng.randint(10_000_000, 700_000_000)
        issue: dict[str, Any] = {
            "url": url,
            "repository_url": f"{API}/repos/{full}",
            "labels_url": url + "/labels{/name}",
            "comments_url": url + "/comments",
            "events_url": url + "/events",
            "html_url": f"https://github.com/{full}/{'pull' if pr else 'issues'}/{number}",
            "id": issue_id,
        }
        if self.modern:
            issue["node_id"] = node_id(issue_id)
        return issue | {
            "number": number,
            "title": draws.text(40, 120).strip(),
            "user": self.user(),
            "labels": [],
            "state": rng.choice(["open", "closed"]),
            "locked": False,
            "assignee": None,
            "assignees": [],
            "milestone": None,
            "comments": rng.randint(0, 40),
            "created_at": stamp(draws.past(self.when)),
            "updated_at": stamp(self.when),
            "closed_at": None,
            "author_association": "NONE",
            "body": draws.body(),
        }

    def comment(self, full: str, number: int, body: str | None) -> dict[str, Any]:
        comment_id = self.rng.randint(100_000_000, 900_000_000)
        return {
            "url": f"{API}/repos/{full}/issues/comments/{comment_id}",
            "html_url": f"https://github.com/{full}/issues/{number}#issuecomment-{comment_id}",
            "issue_url": f"{API}/repos/{full}/issues/{number}",
            "id": comment_id,
            "user": self.user(),
            "created_at": stamp(self.when),
            "updated_at": stamp(self.when),
            "author_association": "CONTRIBUTOR",
            "body": self.draws.comment_body() if body is None else body,
        }

    def pull_request(self, repo_id: int, full: str, number: int) -> dict[str, Any]:
        draws, rng = self.draws, self.rng
        url = f"{API}/repos/{full}/pulls/{number}"
        pull_id = rng.randint(10_000_000, 500_000_000)
        owner, author = draws.person(), draws.person()
        merged = rng.random() < 0.4
        head_repo = f"{author.login}/{full.split('/')[1]}"
        sides = {
            side: {
                "label": f"{person.login}:{ref}",
                "ref": ref,
                "sha": draws.sha(),
                "user": self.user(person),
                "repo": self.repository(side_repo_id, side_repo, person),
            }
            for side, person, ref, side_repo_id, side_repo in (
                ("head", author, draws.branch(), repo_id + 1, head_repo),
                ("base", owner, "master", repo_id, full),
            )
        }
        pull_request: dict[str, Any] = {"url": url, "id": pull_id}
        if self.modern:
            pull_request["node_id"] = node_id(pull_id)
        pull_request |= {
            "html_url": f"https://github.com/{full}/pull/{number}",
            "diff_url": f"https://github.com/{full}/pull/{number}.diff",
            "patch_url": f"https://github.com/{full}/pull/{number}.patch",
            "issue_url": f"{API}/repos/{full}/issues/{number}",
            "number": number,
            "state": "closed" if merged else "open",
            "locked": False,
            "title": draws.text(40, 120).strip(),
            "user": self.user(author),
            "body": draws.body(),
            "created_at": stamp(draws.past(self.when)),
            "updated_at": stamp(self.when),
            "closed_at": stamp(self.when) if merged else None,
            "merged_at": stamp(self.when) if merged else None,
            "merge_commit_sha": draws.sha(),
            "assignee": None,
            "assignees": [],
        }
        if self.modern:
            pull_request |= {"requested_reviewers": [self.user()], "requested_teams": []}
            pull_request |= {"labels": [], "milestone": None, "draft": False}
        links = {
            "self": url,
            "html": f"https://github.com/{full}/pull/{number}",
            "issue": f"{API}/repos/{full}/issues/{number}",
            "comments": f"{API}/repos/{full}/issues/{number}/comments",
            "review_comments": url + "/comments",
            "commits": url + "/commits",
        }
        return pull_request | {
            "commits_url": url + "/commits",
            "review_comments_url": url + "/comments",
            "review_comment_url": f"{API}/repos/{full}/pulls/comments{{/number}}",
            "comments_url": f"{API}/repos/{full}/issues/{number}/comments",
            "statuses_url": f"{API}/repos/{full}/statuses/{sides['head']['sha']}",
            **sides,
            "_links": {name: {"href": href} for name, href in links.items()},
            "author_association": "CONTRIBUTOR",
            "merged": merged,
            "mergeable": None,
            "merged_by": self.user(owner) if merged else None,
            "comments": rng.randint(0, 30),
            "review_comments": rng.randint(0, 30),
            "maintainer_can_modify": False,
            "commits": rng.randint(1, 60),
            "additions": rng.randint(0, 3_000),
            "deletions": rng.randint(0, 3_000),
            "changed_files": rng.randint(1, 80),
        }
