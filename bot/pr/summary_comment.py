"""The sticky summary comment: the App's own comment with the marker, edited in place; it also holds the skip state."""

from __future__ import annotations

from collections.abc import Iterable

from bot.engine.summary import MARKER
from bot.github.records import CommentInfo
from bot.pr.job_context import JobContext

# Kept in the App's own comment (no database shared between workers); a forged copy elsewhere counts for nothing.
SKIP_MARKER = "<!-- docbot:skip -->"
SKIPPED_CHECK = ("docbot leaves this pull request alone: someone ran `/docs skip`. "
                 "Comment `/docs resume` to bring it back.")


def own_summary(ctx: JobContext, comments: Iterable[CommentInfo]) -> CommentInfo | None:
    """The App's sticky comment among a PR's comments (the marker alone proves nothing)."""
    return next((c for c in comments if c.author == ctx.bot_login and MARKER in c.body), None)


def read_summary(ctx: JobContext, number: int) -> CommentInfo | None:
    """The App's sticky comment on a PR (one request per 100 comments)."""
    return own_summary(ctx, ctx.api.list_issue_comments(ctx.repo, number))


def is_skipped(summary: CommentInfo | None) -> bool:
    return summary is not None and SKIP_MARKER in summary.body


def upsert_summary(ctx: JobContext, number: int, mine: CommentInfo | None, body: str, *, create: bool) -> None:
    """Edit the App's own sticky comment when its text changes, or create it when asked."""
    if mine is not None:
        if mine.body != body:
            ctx.api.edit_issue_comment(ctx.repo, mine.id, body)
    elif create:
        ctx.api.create_issue_comment(ctx.repo, number, body)


def skip_body(login: str) -> str:
    """The sticky comment of a skipped PR, carrying the skip marker."""
    return (f"{MARKER}\n{SKIP_MARKER}\n### docbot: skipped\n\n@{login} ran `/docs skip`: docbot leaves this pull "
            "request alone (its check run stays neutral) until someone comments `/docs resume`.\n")


def resume_body(login: str) -> str:
    """The sticky comment right after `/docs resume`, until the job writes the summary."""
    return f"{MARKER}\n### docbot: resumed\n\n@{login} ran `/docs resume`: docbot is regenerating the docs.\n"
