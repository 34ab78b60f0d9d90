"""Routes of PR conversation comments and their reactions."""

from __future__ import annotations

from .errors import check_body_length, invalid_field
from .model import Account, IssueComment, Reaction, Repo, World
from .pulls import emit
from .render_objects import REACTIONS, comment_json, reaction_json
from .router import Ctx, paginate, route
from .routes_pulls import actor

READ = ("issues:read", "pull_requests:read")
WRITE = ("issues:write", "pull_requests:write")


def add_issue_comment(world: World, repo: Repo, number: int, user: Account, body: str,
                      association: str, via_app: bool) -> IssueComment:
    """Store a comment on PR `number` (shared with GitHubDouble.add_comment)."""
    pull = world.pull(repo, number)
    check_body_length("IssueComment", body)
    now = world.now()
    comment = IssueComment(world.next_id(), repo, pull.number, user, body, association,
                           now, now, via_app)
    world.comments[comment.id] = comment
    emit(world, "issue_comment", "created", comment, user)
    return comment


@route("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments", needs=READ)
def list_comments(ctx: Ctx):
    number = ctx.int_param("issue_number")
    ctx.world.pull(ctx.repo, number)
    found = sorted((c for c in ctx.world.comments.values()
                    if c.repo is ctx.repo and c.number == number), key=lambda c: c.id)
    since = ctx.arg("since")
    if since:
        found = [c for c in found if comment_json(ctx.world, c)["updated_at"] >= since]
    page, headers = paginate(ctx, found)
    return 200, [comment_json(ctx.world, c) for c in page], headers


@route("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", needs=WRITE)
def create_comment(ctx: Ctx):
    bot = actor(ctx)
    comment = add_issue_comment(ctx.world, ctx.repo, ctx.int_param("issue_number"), bot,
                                ctx.field("body"), "NONE", via_app=True)
    data = comment_json(ctx.world, comment)
    return 201, data, {"Location": data["url"]}


@route("GET", "/repos/{owner}/{repo}/issues/comments/{comment_id}", needs=READ)
def get_comment(ctx: Ctx):
    return 200, comment_json(ctx.world, ctx.world.comment(ctx.repo, ctx.params["comment_id"]))


@route("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}", needs=WRITE)
def update_comment(ctx: Ctx):
    comment = ctx.world.comment(ctx.repo, ctx.params["comment_id"])
    check_body_length("IssueComment", ctx.field("body"))
    old = comment.body
    comment.body = ctx.field("body")
    comment.updated_at = ctx.world.now()
    emit(ctx.world, "issue_comment", "edited", comment, actor(ctx),
         changes={"body": {"from": old}})
    return 200, comment_json(ctx.world, comment)


@route("DELETE", "/repos/{owner}/{repo}/issues/comments/{comment_id}", needs=WRITE)
def delete_comment(ctx: Ctx):
    comment = ctx.world.comment(ctx.repo, ctx.params["comment_id"])
    del ctx.world.comments[comment.id]
    ctx.world.reactions = [r for r in ctx.world.reactions if r.comment_id != comment.id]
    return 204, None


@route("POST", "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", needs=WRITE)
def create_reaction(ctx: Ctx):
    world = ctx.world
    comment = world.comment(ctx.repo, ctx.params["comment_id"])
    content, user = ctx.field("content"), actor(ctx)
    if content not in REACTIONS:  # the OpenAPI check answers first; kept for clarity
        raise invalid_field("Reaction", "content")
    for reaction in world.reactions:
        if (reaction.comment_id, reaction.user, reaction.content) == (comment.id, user, content):
            return 200, reaction_json(world, reaction)
    reaction = Reaction(world.next_id(), comment.id, user, content, world.now())
    world.reactions.append(reaction)
    return 201, reaction_json(world, reaction)


@route("GET", "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", needs=READ)
def list_reactions(ctx: Ctx):
    comment = ctx.world.comment(ctx.repo, ctx.params["comment_id"])
    found = [r for r in ctx.world.reactions if r.comment_id == comment.id]
    if ctx.arg("content"):
        found = [r for r in found if r.content == ctx.arg("content")]
    page, headers = paginate(ctx, found)
    return 200, [reaction_json(ctx.world, r) for r in page], headers
