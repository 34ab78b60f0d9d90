"""Routes of pull request reviews and review comments."""

from __future__ import annotations

from .errors import not_found
from .render_objects import review_comment_json, review_json
from .reviews import create_review
from .router import Ctx, paginate, route
from .routes_pulls import actor, pull_of

READ = ("pull_requests:read",)


@route("POST", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews",
       needs=("pull_requests:write",))
def post_review(ctx: Ctx):
    review = create_review(ctx.world, pull_of(ctx), actor(ctx), ctx.field("body"),
                           ctx.field("event"), ctx.field("commit_id"), ctx.field("comments", []))
    return 200, review_json(ctx.world, review)


@route("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews", needs=READ)
def list_reviews(ctx: Ctx):
    pull = pull_of(ctx)
    found = [r for r in ctx.world.reviews.values() if r.pull is pull]
    page, headers = paginate(ctx, found)
    return 200, [review_json(ctx.world, r) for r in page], headers


@route("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/comments",
       needs=READ)
def list_review_comments(ctx: Ctx):
    pull = pull_of(ctx)
    review = ctx.world.reviews.get(ctx.int_param("review_id"))
    if review is None or review.pull is not pull:
        raise not_found()
    found = [c for c in ctx.world.review_comments.values() if c.review is review]
    page, headers = paginate(ctx, found)
    return 200, [review_comment_json(ctx.world, c) for c in page], headers


@route("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/comments", needs=READ)
def list_pull_comments(ctx: Ctx):
    pull = pull_of(ctx)
    found = [c for c in ctx.world.review_comments.values() if c.review.pull is pull]
    page, headers = paginate(ctx, found)
    return 200, [review_comment_json(ctx.world, c) for c in page], headers
