"""Routes of the App (JWT) and of repository metadata, contents, commits and collaborators."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .auth import mint_token
from .errors import error, not_found, validation_failed
from .gitrepo import TreeEntry
from .model import Installation, World, iso
from .render_core import app_json, full_repo_json, installation_json, repo_json, user_json
from .render_git import commit_json, content_json
from .router import Ctx, paginate, route

ROLE_PERMISSION = {"admin": "admin", "maintain": "write", "write": "write", "triage": "read",
                   "read": "read", "none": "none"}


@route("GET", "/app", auth="app")
def get_app(ctx: Ctx):
    return 200, app_json(ctx.world, ctx.world.app)


def _installation(world: World, installation_id: str) -> Installation:
    found = world.installations.get(int(installation_id)) if installation_id.isdigit() else None
    if found is None:
        raise not_found()
    return found


@route("GET", "/app/installations", auth="app")
def list_installations(ctx: Ctx):
    installations = sorted(ctx.world.installations.values(), key=lambda i: i.id)
    page, headers = paginate(ctx, installations)
    return 200, [installation_json(ctx.world, i) for i in page], headers


@route("GET", "/app/installations/{installation_id}", auth="app")
def get_installation(ctx: Ctx):
    installation = _installation(ctx.world, ctx.params["installation_id"])
    return 200, installation_json(ctx.world, installation)


@route("GET", "/repos/{owner}/{repo}/installation", auth="app")
def get_repo_installation(ctx: Ctx):
    repo = ctx.world.repo(ctx.params["owner"], ctx.params["repo"])
    found = next((i for i in ctx.world.installations.values() if i.covers(repo)), None)
    if found is None:
        raise not_found()
    return 200, installation_json(ctx.world, found)


@route("POST", "/app/installations/{installation_id}/access_tokens", auth="app")
def create_access_token(ctx: Ctx):
    world = ctx.world
    installation = _installation(world, ctx.params["installation_id"])
    names = ctx.field("repositories")
    ids = ctx.field("repository_ids")
    if ids is not None:
        by_id = {repo.id: repo.name for repo in world.repos.values()}
        names = [*(names or []), *(by_id.get(i, f"#{i}") for i in ids)]
    token = mint_token(world, installation, ctx.field("permissions"), names)
    data: dict[str, Any] = {
        "token": token.value, "expires_at": iso(token.expires_at),
        "permissions": token.permissions,
        "repository_selection": "all" if installation.repo_ids is None else "selected",
    }
    if token.repo_ids is not None:
        data["repositories"] = [repo_json(world, r) for r in world.repos.values()
                                if r.id in token.repo_ids]
    return 201, data


@route("GET", "/repos/{owner}/{repo}", needs=("metadata:read",))
def get_repo(ctx: Ctx):
    return 200, full_repo_json(ctx.world, ctx.repo)


def resolve_ref(ctx: Ctx, ref: str | None) -> str:
    sha = ctx.repo.git.resolve(ref or ctx.repo.default_branch)
    if sha is None:
        raise error(404, f"No commit found for the ref {ref}")
    return sha


@route("GET", "/repos/{owner}/{repo}/contents/{path}", needs=("contents:read",))
def get_contents(ctx: Ctx):
    ref = ctx.arg("ref") or ctx.repo.default_branch
    commit = resolve_ref(ctx, ref)
    path = ctx.params["path"].strip("/")
    git = ctx.repo.git
    found = git.ls_tree(commit, path=path)
    entry = next((e for e in found if e.path == path), None)
    if entry is None:
        raise not_found()
    if entry.type == "tree":
        children = git.ls_tree(f"{commit}:{path}")
        return 200, [content_json(ctx.world, ctx.repo, ref, _under(path, child))
                     for child in children]
    data = git.read_blob(entry.sha) if entry.type == "blob" else b""
    return 200, content_json(ctx.world, ctx.repo, ref, entry, data)


def _under(folder: str, child: TreeEntry) -> TreeEntry:
    return replace(child, path=f"{folder}/{child.path}")


@route("GET", "/repos/{owner}/{repo}/commits/{ref}", needs=("contents:read",))
def get_commit(ctx: Ctx):
    sha = ctx.repo.git.resolve(ctx.params["ref"])
    if sha is None:
        raise validation_failed(message=f"No commit found for SHA: {ctx.params['ref']}")
    return 200, commit_json(ctx.world, ctx.repo, ctx.repo.git.commit_info(sha))


@route("GET", "/repos/{owner}/{repo}/collaborators/{username}/permission",
       needs=("metadata:read",))
def get_permission(ctx: Ctx):
    world, repo = ctx.world, ctx.repo
    account = world.accounts.get(ctx.params["username"].lower())
    if account is None:
        raise not_found()
    role = repo.collaborators.get(account.login.lower(), "none")
    if account.login.lower() == repo.owner.login.lower():
        role = "admin"
    permission = ROLE_PERMISSION[role]
    user = user_json(world, account)
    user["role_name"] = role
    user["permissions"] = {"admin": role == "admin", "maintain": role in ("admin", "maintain"),
                           "push": permission in ("admin", "write"),
                           "triage": role != "read" and permission != "none",
                           "pull": permission != "none"}
    return 200, {"permission": permission, "role_name": role, "user": user}
