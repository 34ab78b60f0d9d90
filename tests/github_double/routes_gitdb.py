"""Routes of the git database: blobs, trees, commits and refs, on the real bare repository."""

from __future__ import annotations

import base64
import binascii

from .auth import has_permission
from .errors import error, not_found, validation_failed
from .gitrepo import GitError, Person
from .pulls import sync_heads
from .render_git import blob_json, git_commit_json, git_ref_json, git_tree_json
from .router import Ctx, route
from .routes_pulls import actor
from .trees import TreeEdit, build_tree

READ = ("contents:read",)
WRITE = ("contents:write",)
WORKFLOWS = ".github/workflows"


def _may_touch_workflows(ctx: Ctx) -> bool:
    token = ctx.identity.token
    return token is not None and has_permission(token.permissions, ("workflows:write",))


def _touches_workflows(path: str) -> bool:
    path = path.strip("/")
    return path == WORKFLOWS or path.startswith(WORKFLOWS + "/") or WORKFLOWS.startswith(path + "/")


@route("POST", "/repos/{owner}/{repo}/git/blobs", needs=WRITE)
def create_blob(ctx: Ctx):
    content, encoding = ctx.field("content"), ctx.field("encoding", "utf-8")
    if encoding == "base64":
        try:
            data = base64.b64decode(content, validate=False)
        except binascii.Error as exc:
            raise validation_failed(message="Invalid base64 content") from exc
    elif encoding in ("utf-8", "utf8"):
        data = content.encode()
    else:
        raise validation_failed({"resource": "Blob", "field": "encoding", "code": "invalid"})
    sha = ctx.repo.git.hash_blobs([data])[0]
    body = blob_json(ctx.world, ctx.repo, sha)
    return 201, body, {"Location": body["url"]}


@route("GET", "/repos/{owner}/{repo}/git/blobs/{file_sha}", needs=READ)
def get_blob(ctx: Ctx):
    git, sha = ctx.repo.git, ctx.params["file_sha"]
    if git.object_type(sha) != "blob":
        raise not_found()
    data = git.read_blob(sha)
    body = {**blob_json(ctx.world, ctx.repo, sha), "size": len(data), "encoding": "base64",
            "content": base64.b64encode(data).decode(), "node_id": sha}
    return 200, body


def _edit(ctx: Ctx, entry: dict) -> TreeEdit:
    path, sha = entry.get("path", ""), entry.get("sha")
    if "content" in entry and entry["content"] is not None:
        sha = ctx.repo.git.hash_blobs([entry["content"].encode()])[0]
    elif sha is not None and ctx.repo.git.object_type(sha) is None:
        raise validation_failed(message="GitRPC::BadObjectState")
    if _touches_workflows(path) and not _may_touch_workflows(ctx):
        # GitHub answers a plain 404 here, not a permission error.
        raise not_found()
    return TreeEdit(path, entry.get("mode", "100644"), sha)


@route("POST", "/repos/{owner}/{repo}/git/trees", needs=WRITE)
def create_tree(ctx: Ctx):
    git = ctx.repo.git
    base = ctx.field("base_tree")
    if base is not None and git.resolve(base, "tree") is None:
        raise validation_failed(message="Invalid tree info")
    edits = [_edit(ctx, entry) for entry in ctx.field("tree")]
    sha = build_tree(git, git.resolve(base, "tree") if base else None, edits)
    body = git_tree_json(ctx.world, ctx.repo, sha, git.ls_tree(sha))
    return 201, body, {"Location": body["url"]}


@route("GET", "/repos/{owner}/{repo}/git/trees/{tree_sha}", needs=READ)
def get_tree(ctx: Ctx):
    git = ctx.repo.git
    sha = git.resolve(ctx.params["tree_sha"], "tree")
    if sha is None:
        raise not_found()
    recursive = ctx.arg("recursive") not in (None, "", "0", "false")
    return 200, git_tree_json(ctx.world, ctx.repo, sha, git.ls_tree(sha, recursive=recursive))


def _person(value: dict | None, fallback: Person) -> Person:
    if not value:
        return fallback
    return Person(value.get("name", fallback.name), value.get("email", fallback.email),
                  value.get("date"))


@route("POST", "/repos/{owner}/{repo}/git/commits", needs=WRITE)
def create_commit(ctx: Ctx):
    git = ctx.repo.git
    tree = ctx.field("tree")
    if git.object_type(tree) != "tree":
        raise validation_failed(message="Tree SHA does not exist")
    parents = ctx.field("parents", [])
    if any(git.object_type(p) != "commit" for p in parents):
        raise validation_failed(message="Parent SHA does not exist or is not a commit object")
    bot = actor(ctx)
    me = Person(bot.login, f"{bot.id}+{bot.login}@users.noreply.github.com")
    author = _person(ctx.field("author"), me)
    committer = _person(ctx.field("committer"), author)
    try:
        sha = git.commit_tree(tree, parents, ctx.field("message"), author, committer)
    except GitError as exc:
        raise validation_failed(message="Invalid commit author or date") from exc
    body = git_commit_json(ctx.world, ctx.repo, git.commit_info(sha))
    return 201, body, {"Location": body["url"]}


@route("GET", "/repos/{owner}/{repo}/git/commits/{commit_sha}", needs=READ)
def get_git_commit(ctx: Ctx):
    git, sha = ctx.repo.git, ctx.params["commit_sha"]
    if git.object_type(sha) != "commit":
        raise not_found()
    return 200, git_commit_json(ctx.world, ctx.repo, git.commit_info(sha))


@route("GET", "/repos/{owner}/{repo}/git/ref/{ref}", needs=READ)
def get_ref(ctx: Ctx):
    name = "refs/" + ctx.params["ref"]
    refs = ctx.repo.git.refs(name)
    if name not in refs:
        raise not_found()
    return 200, git_ref_json(ctx.world, ctx.repo, name, refs[name])


@route("GET", "/repos/{owner}/{repo}/git/refs/{ref}", needs=READ)
def get_refs_legacy(ctx: Ctx):
    """The legacy form: an exact ref gives one object, a prefix gives the list."""
    name = "refs/" + ctx.params["ref"]
    refs = ctx.repo.git.refs(name)
    if name in refs:
        return 200, git_ref_json(ctx.world, ctx.repo, name, refs[name])
    if not refs:
        raise not_found()
    return 200, [git_ref_json(ctx.world, ctx.repo, r, s) for r, s in sorted(refs.items())]


@route("GET", "/repos/{owner}/{repo}/git/matching-refs/{ref}", needs=READ)
def matching_refs(ctx: Ctx):
    prefix = "refs/" + ctx.params["ref"]
    refs = {r: s for r, s in ctx.repo.git.refs().items() if r.startswith(prefix)}
    return 200, [git_ref_json(ctx.world, ctx.repo, r, s) for r, s in sorted(refs.items())]


def _check_ref_write(ctx: Ctx, ref: str, old: str | None, new: str) -> None:
    git = ctx.repo.git
    if ref.startswith("refs/pull/"):
        raise validation_failed(message="Reference cannot be updated")
    if git.object_type(new) is None:
        raise validation_failed(message="Object does not exist")
    if _may_touch_workflows(ctx):
        return
    base = old or git.resolve(ctx.repo.default_branch)
    changed = git.text("diff", "--name-only", base, new, "--", WORKFLOWS) if base else ""
    if changed:
        first = changed.splitlines()[0]
        raise validation_failed(message=f"refusing to allow a GitHub App to create or update "
                                        f"workflow `{first}` without `workflows` permission")


@route("POST", "/repos/{owner}/{repo}/git/refs", needs=WRITE)
def create_ref(ctx: Ctx):
    ref, sha = ctx.field("ref"), ctx.field("sha")
    if not ref.startswith("refs/") or ref.count("/") < 2:
        raise validation_failed(message="Reference name is invalid")
    if ref in ctx.repo.git.refs(ref):
        raise validation_failed(message="Reference already exists")
    _check_ref_write(ctx, ref, None, sha)
    ctx.repo.git.update_ref(ref, sha, "0" * 40)
    sync_heads(ctx.world, ctx.repo, actor(ctx))
    body = git_ref_json(ctx.world, ctx.repo, ref, sha)
    return 201, body, {"Location": body["url"]}


@route("PATCH", "/repos/{owner}/{repo}/git/refs/{ref}", needs=WRITE)
def update_ref(ctx: Ctx):
    git = ctx.repo.git
    ref, sha = "refs/" + ctx.params["ref"], ctx.field("sha")
    old = git.refs(ref).get(ref)
    if old is None:
        raise validation_failed(message="Reference does not exist")
    _check_ref_write(ctx, ref, old, sha)
    if not ctx.field("force", False) and not git.is_ancestor(old, sha):
        raise validation_failed(message="Update is not a fast forward")
    git.update_ref(ref, sha, old)
    sync_heads(ctx.world, ctx.repo, actor(ctx))
    return 200, git_ref_json(ctx.world, ctx.repo, ref, sha)


@route("DELETE", "/repos/{owner}/{repo}/git/refs/{ref}", needs=WRITE)
def delete_ref(ctx: Ctx):
    ref = "refs/" + ctx.params["ref"]
    if ref not in ctx.repo.git.refs(ref):
        raise validation_failed(message="Reference does not exist")
    if ref == f"refs/heads/{ctx.repo.default_branch}":
        raise error(422, "Cannot delete the default branch")
    ctx.repo.git.delete_ref(ref)
    return 204, None
