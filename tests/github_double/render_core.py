"""JSON shapes of users, repositories and the App, as the REST API sends them."""

from __future__ import annotations

import base64
from typing import Any

from .model import Account, App, Installation, Repo, World, iso

REPO_URL_SUFFIXES = {
    "archive_url": "/{archive_format}{/ref}",
    "assignees_url": "/assignees{/user}",
    "blobs_url": "/git/blobs{/sha}",
    "branches_url": "/branches{/branch}",
    "collaborators_url": "/collaborators{/collaborator}",
    "comments_url": "/comments{/number}",
    "commits_url": "/commits{/sha}",
    "compare_url": "/compare/{base}...{head}",
    "contents_url": "/contents/{+path}",
    "contributors_url": "/contributors",
    "deployments_url": "/deployments",
    "downloads_url": "/downloads",
    "events_url": "/events",
    "forks_url": "/forks",
    "git_commits_url": "/git/commits{/sha}",
    "git_refs_url": "/git/refs{/sha}",
    "git_tags_url": "/git/tags{/sha}",
    "hooks_url": "/hooks",
    "issue_comment_url": "/issues/comments{/number}",
    "issue_events_url": "/issues/events{/number}",
    "issues_url": "/issues{/number}",
    "keys_url": "/keys{/key_id}",
    "labels_url": "/labels{/name}",
    "languages_url": "/languages",
    "merges_url": "/merges",
    "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}",
    "pulls_url": "/pulls{/number}",
    "releases_url": "/releases{/id}",
    "stargazers_url": "/stargazers",
    "statuses_url": "/statuses/{sha}",
    "subscribers_url": "/subscribers",
    "subscription_url": "/subscription",
    "tags_url": "/tags",
    "teams_url": "/teams",
    "trees_url": "/git/trees{/sha}",
}


def node_id(kind: str, ident: int | str) -> str:
    return base64.b64encode(f"0:{kind}{ident}".encode()).decode()


def repo_api(world: World, repo: Repo) -> str:
    return f"{world.api_url}/repos/{repo.full_name}"


def user_json(world: World, account: Account) -> dict[str, Any]:
    """simple-user."""
    api = f"{world.api_url}/users/{account.login}"
    return {
        "login": account.login,
        "id": account.id,
        "node_id": node_id("User", account.id),
        "avatar_url": f"{world.web_url}/avatars/u/{account.id}?v=4",
        "gravatar_id": "",
        "url": api,
        "html_url": f"{world.web_url}/{account.login}",
        "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
        "type": account.type,
        "user_view_type": "public",
        "site_admin": False,
    }


def repo_json(world: World, repo: Repo) -> dict[str, Any]:
    """repository (the shape nested in PRs; GET /repos adds parent/source for forks)."""
    data: dict[str, Any] = {
        "id": repo.id, "node_id": node_id("Repository", repo.id), "name": repo.name,
        "full_name": repo.full_name, "private": repo.private,
        "owner": user_json(world, repo.owner), "description": None,
        "fork": repo.parent is not None, **_repo_urls(world, repo),
        "mirror_url": None, "homepage": None, "language": None, "license": None, "size": 0,
        "default_branch": repo.default_branch,
        "visibility": "private" if repo.private else "public",
        "created_at": iso(repo.created_at), "updated_at": iso(repo.created_at),
        "pushed_at": iso(repo.created_at), "archived": False, "disabled": False,
        "allow_forking": True, "is_template": False, "topics": [], "has_pages": False,
    }
    for key in ("has_issues", "has_projects", "has_wiki", "has_downloads"):
        data[key] = True
    counts = {"forks": 0, "open_issues": _open_count(world, repo), "watchers": 0,
              "stargazers": 0}
    for key, value in counts.items():
        data[f"{key}_count"] = value
        if key != "stargazers":
            data[key] = value
    return data


def _repo_urls(world: World, repo: Repo) -> dict[str, str]:
    api = repo_api(world, repo)
    web = f"{world.web_url}/{repo.full_name}"
    host = world.web_url.split("://", 1)[1]
    return {
        "url": api, "html_url": web, "clone_url": f"{web}.git", "svn_url": web,
        "git_url": f"git://{host}/{repo.full_name}.git",
        "ssh_url": f"git@{host}:{repo.full_name}.git",
        **{key: api + suffix for key, suffix in REPO_URL_SUFFIXES.items()},
    }


def _open_count(world: World, repo: Repo) -> int:
    return sum(1 for p in world.pulls if p.repo is repo and p.state == "open")


def full_repo_json(world: World, repo: Repo) -> dict[str, Any]:
    """GET /repos/{owner}/{repo}: the nested shape plus parent/source of a fork."""
    data = repo_json(world, repo)
    data["permissions"] = {"admin": False, "maintain": False, "push": True, "triage": True,
                           "pull": True}
    if repo.parent is not None:
        source = repo.parent
        while source.parent is not None:
            source = source.parent
        data["parent"] = repo_json(world, repo.parent)
        data["source"] = repo_json(world, source)
    return data


def app_json(world: World, app: App) -> dict[str, Any]:
    """integration (GET /app, and `app` of check runs)."""
    return {
        "id": app.id,
        "slug": app.slug,
        "node_id": node_id("Integration", app.id),
        "client_id": app.client_id,
        "owner": user_json(world, app.owner),
        "name": app.name,
        "description": "The GitHub App under test",
        "external_url": f"{world.web_url}/apps/{app.slug}/home",
        "html_url": f"{world.web_url}/apps/{app.slug}",
        "created_at": iso(app.created_at),
        "updated_at": iso(app.created_at),
        "permissions": {
            "checks": "write", "contents": "write", "issues": "write",
            "metadata": "read", "pull_requests": "write",
        },
        "events": ["check_run", "issue_comment", "pull_request"],
        "installations_count": 1,
    }


def installation_json(world: World, installation: Installation) -> dict[str, Any]:
    api = f"{world.api_url}/app/installations/{installation.id}"
    return {
        "id": installation.id, "node_id": node_id("Installation", installation.id),
        "account": user_json(world, installation.account),
        "repository_selection": "all" if installation.repo_ids is None else "selected",
        "access_tokens_url": f"{api}/access_tokens",
        "repositories_url": f"{world.api_url}/installation/repositories",
        "html_url": f"{world.web_url}/settings/installations/{installation.id}",
        "app_id": world.app.id, "app_slug": world.app.slug,
        "target_id": installation.account.id, "target_type": installation.account.type,
        "permissions": installation.permissions,
        "events": ["check_run", "issue_comment", "pull_request"],
        "created_at": iso(world.app.created_at), "updated_at": iso(world.app.created_at),
        "single_file_name": None,
    }
