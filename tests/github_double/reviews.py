"""Reviews: every comment is checked against the PR's real diff; one bad comment rejects all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .diffs import FileDiff
from .errors import check_body_length, unprocessable
from .model import Account, PullRequest, Review, ReviewComment, World
from .pulls import mark_outdated
from .render_objects import pull_files

STATES = {"APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED", "COMMENT": "COMMENTED"}
LINE_NOT_IN_DIFF = "Pull request review thread line must be part of the diff"
START_NOT_IN_HUNK = "Pull request review thread start line must be part of the same hunk as the line."
START_AFTER_LINE = "Pull request review thread start line must precede the end line."
HUNK_BLANK = "Pull request review thread diff hunk can't be blank"


@dataclass(frozen=True)
class Anchor:
    """Where a review comment lands in the diff."""

    path: str
    side: str
    line: int
    start_line: int | None
    start_side: str | None
    position: int
    diff_hunk: str


def create_review(world: World, pull: PullRequest, user: Account, body: str | None,
                  event: str | None, commit_id: str | None,
                  comments: list[dict[str, Any]]) -> Review:
    check_body_length("PullRequestReview", body, simple=True)
    commit = commit_id or pull.head_sha
    git = pull.repo.git
    if git.resolve(commit) is None or not git.is_ancestor(commit, pull.head_sha):
        raise unprocessable("Commit could not be resolved")
    if event in ("APPROVE", "REQUEST_CHANGES") and user is pull.user:
        verb = "approve" if event == "APPROVE" else "request changes on"
        raise unprocessable(f"Can not {verb} your own pull request")
    files = {diff.filename: diff for diff in pull_files(pull, commit)}
    anchors = [anchor_comment(files, comment) for comment in comments]
    now = world.now()
    review = Review(world.next_id(), pull, user, body or "", STATES.get(event, "PENDING"),
                    commit, now if event else None, world.association(pull.repo, user))
    world.reviews[review.id] = review
    for anchor, comment in zip(anchors, comments, strict=True):
        stored = ReviewComment(
            id=world.next_id(), review=review, path=anchor.path, body=comment["body"],
            line=anchor.line, side=anchor.side, start_line=anchor.start_line,
            start_side=anchor.start_side, commit_id=commit, original_commit_id=commit,
            original_line=anchor.line, position=anchor.position, diff_hunk=anchor.diff_hunk,
            created_at=now,
        )
        world.review_comments[stored.id] = stored
    mark_outdated(world, pull)  # a review on an older commit may already be outdated
    return review


def anchor_comment(files: dict[str, FileDiff], comment: dict[str, Any]) -> Anchor:
    """Resolve one comment of a review against the diff, or raise GitHub's 422."""
    check_body_length("PullRequestReviewComment", comment.get("body"), simple=True)
    diff = files.get(comment["path"])
    if diff is None:
        raise unprocessable("Path could not be resolved")
    if comment.get("line") is None:
        if comment.get("position") is None:
            raise unprocessable("Line could not be resolved")
        target = diff.position_target(comment["position"])
        if target is None:
            raise unprocessable("Position could not be resolved")
        return _anchor(diff, target[0], target[1], None, None)
    side = comment.get("side", "RIGHT")
    line = comment["line"]
    start_line = comment.get("start_line")
    start_side = comment.get("start_side", side) if start_line is not None else None
    if side not in ("LEFT", "RIGHT") or start_side not in (None, "LEFT", "RIGHT"):
        raise unprocessable("Side must be LEFT or RIGHT")
    hunk = diff.hunk_for(side, line)
    if hunk is None:
        raise unprocessable(_sentence([LINE_NOT_IN_DIFF, START_NOT_IN_HUNK, HUNK_BLANK]))
    if start_line is not None:
        if start_line >= line and start_side == side:
            raise unprocessable(START_AFTER_LINE)
        if diff.hunk_for(start_side, start_line) != hunk:
            raise unprocessable(START_NOT_IN_HUNK)
    return _anchor(diff, side, line, start_line, start_side)


def _anchor(diff: FileDiff, side: str, line: int, start_line: int | None,
            start_side: str | None) -> Anchor:
    position = diff.position_of(side, line)
    return Anchor(diff.filename, side, line, start_line, start_side, position,
                  diff.excerpt(side, line))


def _sentence(parts: list[str]) -> str:
    """GitHub joins its validation messages into one English list."""
    return ", ".join(parts[:-1]) + ", and " + parts[-1]
