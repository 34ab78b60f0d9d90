"""What the GitHub port returns and takes: plain frozen records, no PyGithub objects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PullInfo:
    """The fields of a pull request the jobs act on."""

    number: int
    state: str
    html_url: str
    title: str
    body: str
    head_sha: str
    head_ref: str
    head_repo: str | None  # full name; None once a fork is deleted
    head_owner_type: str | None  # User or Organization: pushing to a fork depends on it
    base_ref: str
    draft: bool
    maintainer_can_modify: bool


@dataclass(frozen=True)
class CommentInfo:
    """One issue (PR conversation) comment."""

    id: int
    author: str
    body: str
    html_url: str


@dataclass(frozen=True)
class CheckRunInfo:
    """One check run."""

    id: int
    name: str
    head_sha: str
    status: str
    conclusion: str | None
    app_slug: str | None
    html_url: str


@dataclass(frozen=True)
class CheckOutput:
    """The text a check run shows; summary and text are at most 65,535 characters each."""

    title: str
    summary: str
    text: str | None = None

    def as_dict(self) -> dict[str, str]:
        out = {"title": self.title, "summary": self.summary}
        return out | ({"text": self.text} if self.text else {})


@dataclass(frozen=True)
class ReviewComment:
    """One comment of a review: a range of lines on the RIGHT side of one file."""

    path: str
    body: str
    line: int
    start_line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "body": self.body, "line": self.line, "side": "RIGHT"}
        if self.start_line is not None and self.start_line < self.line:
            out |= {"start_line": self.start_line, "start_side": "RIGHT"}
        return out


@dataclass(frozen=True)
class ReviewCommentInfo:
    """One review comment as GitHub shows it now: `line` is None once the comment is outdated."""

    id: int
    author: str
    path: str
    body: str
    line: int | None
    start_line: int | None
    commit_id: str


@dataclass(frozen=True)
class InstallationToken:
    """An installation access token and when GitHub says it expires (epoch seconds)."""

    token: str
    expires_at: float

    def __repr__(self) -> str:
        return f"InstallationToken(token='<hidden>', expires_at={self.expires_at})"
