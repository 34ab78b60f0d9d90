"""Routes of pull requests: list, get, create, update and the changed files."""

from __future__ import annotations

from .errors import check_body_length, invalid_field, validation_failed
from .model import Account, PullRequest
from .pulls import create_pull, emit, set_state
from .render_git import diff_entry_json
from .render_objects import pull_files, pull_json
from .router import Ctx, paginate, route

MAX_FILES = 3000


def actor(ctx: Ctx) -> Account:
    """Writes made with an installation token are authored by the App's bot user."""
    return ctx.world.app.bot


def pull_of(ctx: Ctx) -> PullRequest:
    return ctx.world.pull(ctx.repo, ctx.int_param("pull_number"))


@route("GET", "/repos/{owner}/{repo}/pulls", needs=("pull_requests:read",))
def list_pulls(ctx: Ctx):
    state = ctx.arg("state", "open")
    pulls = [p for p in ctx.world.pulls if p.repo is ctx.repo]
    if state != "all":
        pulls = [p for p in pulls if p.state == state]
    head = ctx.arg("head")
    # GitHub only honours `head` in the user:ref form; a bare branch name filters nothing.
    if head and ":" in head:
        pulls = [p for p in pulls if p.head_label.lower() == head.lower()
                 or p.head_label == head]
    if ctx.arg("base"):
        pulls = [p for p in pulls if p.base_ref == ctx.arg("base")]
    pulls.sort(key=lambda p: p.number, reverse=ctx.arg("direction", "desc") == "desc")
    page, headers = paginate(ctx, pulls)
    return 200, [pull_json(ctx.world, p) for p in page], headers


@route("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", needs=("pull_requests:read",))
def get_pull(ctx: Ctx):
    return 200, pull_json(ctx.world, pull_of(ctx))


@route("POST", "/repos/{owner}/{repo}/pulls", needs=("pull_requests:write",))
def open_pull(ctx: Ctx):
    head = ctx.field("head")
    owner, _, ref = head.rpartition(":")
    head_repo = ctx.field("head_repo")
    foreign_owner = owner and owner.lower() != ctx.repo.owner.login.lower()
    if foreign_owner or (head_repo and head_repo.lower() != ctx.repo.full_name.lower()):
        raise invalid_field("PullRequest", "head")
    title = ctx.field("title")
    if not title and ctx.field("issue") is None:
        raise validation_failed({"resource": "PullRequest", "code": "missing_field",
                                 "field": "title"})
    pull = create_pull(
        ctx.world, ctx.repo, ctx.repo, ref, ctx.field("base"), title=title or "",
        body=ctx.field("body"), user=actor(ctx), draft=bool(ctx.field("draft", False)),
        maintainer_can_modify=bool(ctx.field("maintainer_can_modify", False)),
    )
    data = pull_json(ctx.world, pull)
    return 201, data, {"Location": data["url"]}


@route("PATCH", "/repos/{owner}/{repo}/pulls/{pull_number}", needs=("pull_requests:write",))
def update_pull(ctx: Ctx):
    pull = pull_of(ctx)
    check_body_length("PullRequest", ctx.field("body"))
    changes = {}
    for key in ("title", "body"):
        if ctx.field(key) is not None and ctx.field(key) != getattr(pull, key):
            changes[key] = {"from": getattr(pull, key)}
            setattr(pull, key, ctx.field(key))
    base = ctx.field("base")
    if base is not None and base != pull.base_ref:
        if ctx.repo.git.branch_sha(base) is None:
            raise invalid_field("PullRequest", "base")
        changes["base"] = {"ref": {"from": pull.base_ref}}
        pull.base_ref = base
    if ctx.field("maintainer_can_modify") is not None and pull.is_fork:
        pull.maintainer_can_modify = bool(ctx.field("maintainer_can_modify"))
    state = ctx.field("state")
    if state is not None:
        if state not in ("open", "closed"):
            raise invalid_field("PullRequest", "state")
        set_state(ctx.world, pull, state, actor(ctx))
    if changes:
        pull.updated_at = ctx.world.now()
        emit(ctx.world, "pull_request", "edited", pull, actor(ctx), changes=changes)
    return 200, pull_json(ctx.world, pull)


@route("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/files", needs=("pull_requests:read",))
def list_files(ctx: Ctx):
    pull = pull_of(ctx)
    page, headers = paginate(ctx, pull_files(pull), limit=MAX_FILES)
    entries = [diff_entry_json(ctx.world, pull.repo, pull.head_sha, d) for d in page]
    return 200, entries, headers
