"""Suggestions mode: one review per head whose suggestions turn the doc pages at the head into the new ones."""

from __future__ import annotations

from dataclasses import replace

from bot.engine.suggestions import MARKER, DocPage, Leftover, Suggestion, hunks_from_patch, plan_suggestions
from bot.errors import GitHubError
from bot.github.records import PullInfo, ReviewComment, ReviewCommentInfo
from bot.pr.job_context import JobContext
from bot.pr.modes import Handover, branch_handover
from bot.pr.regenerate import DocWork, only_pages

REVIEW_MARKER = "<!-- docbot:review -->"
REFUSED = "GitHub refused docbot's review"


def suggestions_handover(ctx: JobContext, pull: PullInfo, work: DocWork) -> Handover:
    """Suggest what GitHub allows (30 comments at most); the companion branch carries the rest, listed."""
    plan = plan_suggestions(doc_pages(ctx, pull, work))
    suggested, leftovers, notes = plan.comments, plan.leftovers, []
    try:
        post_review(ctx, pull, work, suggested)
    except GitHubError as exc:
        if exc.status != 422:
            raise
        # One comment GitHub will not place rejects the whole review: the branch takes every page.
        suggested, leftovers = [], [Leftover(p, REFUSED) for p in work.plan.changed_pages]
        notes.append(f"{REFUSED} ({exc}); every page went to the companion branch.")
    with ctx.git_cache() as cache:
        rest = only_pages(cache, work, [leftover.path for leftover in leftovers])
    handover = branch_handover(ctx, pull, rest)
    return replace(handover, suggested=len(suggested), leftovers=tuple(leftovers), notes=tuple(notes))


def doc_pages(ctx: JobContext, pull: PullInfo, work: DocWork) -> list[DocPage]:
    """Each changed page at the head and regenerated, with its hunks; PR files asked only if a page is in the diff."""
    pages, writes = work.head_pages, work.plan.writes
    in_diff = [p for p in writes if p in work.in_diff and pages.get(p) is not None]
    patches = ctx.api.list_pull_files(ctx.repo, pull.number) if in_diff else {}
    return [DocPage(p, pages.get(p), writes.get(p), hunks_from_patch(patches.get(p)) if p in in_diff else ())
            for p in work.plan.changed_pages]


def post_review(ctx: JobContext, pull: PullInfo, work: DocWork, comments: list[Suggestion]) -> None:
    """One review (COMMENT, on the head) with the suggestions not already standing there from docbot."""
    if not comments:
        return
    head = work.refs.head_sha
    standing = {_key(c) for c in ctx.api.list_review_comments(ctx.repo, pull.number)
                if c.author == ctx.bot_login and MARKER in c.body and c.commit_id == head and c.line is not None}
    new = [c for c in comments if _key(c) not in standing]
    if not new:
        return
    body = (f"{REVIEW_MARKER}\ndocbot: {len(new)} suggestion(s) that bring the documentation mirror up to date at "
            f"`{head[:12]}`. Add them to a batch and commit them together.")
    ctx.api.create_review(ctx.repo, pull.number, commit_id=head, body=body,
                          comments=[ReviewComment(c.path, c.body, c.line, c.start_line) for c in new])
    ctx.log("reviewed %s with %d suggestion(s)", head[:12], len(new))


def _key(comment: Suggestion | ReviewCommentInfo) -> tuple[str, int | None, int | None, str]:
    return comment.path, comment.line, comment.start_line, comment.body
