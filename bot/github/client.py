"""The one module that talks to the GitHub REST API: a narrow port over PyGithub returning primitives."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Self
from urllib.parse import quote

import requests
from github import Auth, Github, GithubException, GithubRetry
from github.Commit import Commit
from github.GitRef import GitRef
from github.IssueComment import IssueComment

from bot.errors import GitHubError
from bot.github.records import (  # noqa: F401  (re-exported: callers import the records from the port)
    CheckOutput,
    CheckRunInfo,
    CommentInfo,
    InstallationToken,
    PullInfo,
    ReviewComment,
    ReviewCommentInfo,
)

RETRY_TOTAL = 4  # tries after the first; a job that still fails is retried whole by the queue
RETRY_BACKOFF = 0.5  # seconds, doubled each time; urllib3 does not wait before the first retry
SECONDARY_RATE_WAIT = 60  # seconds, for a secondary limit that comes without Retry-After
MAX_RATE_LIMIT_WAIT = 120  # seconds; a longer wait fails the call instead of parking the worker
PER_PAGE = 100
TIMEOUT = 30
RATE_LIMITED = frozenset({403, 429})  # the answers that GithubRetry retries only for a rate limit


@dataclass
class RequestCounts:
    """What one client sent to GitHub: every HTTP request (retries and pages too), and its rate-limit waits."""

    requests: int = 0
    rate_limit_waits: int = 0
    rate_limit_seconds: float = 0.0


class RetryPolicy(GithubRetry):
    """GithubRetry that never repeats a POST after a server error (GitHub may have applied it), and counts.

    urllib3 asks `is_retry` of every answer (requests turns its own redirects off) and calls `increment` with
    the error of every request that got no answer: between them they see each request once, first tries,
    retries and pages alike. A wait after a 403 or 429 is one for a rate limit: GithubRetry retries those
    for nothing else. urllib3 makes a new Retry at each retry (`new`), so the counts are handed on.
    """

    def __init__(self, counts: RequestCounts | None = None, **kwargs: Any) -> None:
        self.counts = RequestCounts() if counts is None else counts
        super().__init__(**kwargs)

    def new(self, **kw: Any) -> Self:
        return super().new(counts=self.counts, **kw)

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        self.counts.requests += 1
        if method == "POST" and status_code >= 500:
            return False
        return super().is_retry(method, status_code, has_retry_after)

    def increment(self, method: str | None = None, url: str | None = None, response: Any = None,
                  error: Exception | None = None, _pool: Any = None, _stacktrace: Any = None) -> Any:
        if response is None:
            self.counts.requests += 1
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def sleep(self, response: Any = None) -> None:
        if response is None or response.status not in RATE_LIMITED:
            return super().sleep(response)
        started = time.monotonic()
        try:
            super().sleep(response)
        finally:  # a wait cut short by the job's time limit counts for what it lasted
            self.counts.rate_limit_waits += 1
            self.counts.rate_limit_seconds += time.monotonic() - started


def retry_policy(counts: RequestCounts | None = None) -> RetryPolicy:
    """5xx retried with backoff (not for POST), rate limits after Retry-After or the reset time; counted."""
    return RetryPolicy(
        counts,
        total=RETRY_TOTAL,
        # PATCH (our edits set fields, so repeating one is harmless) is not in urllib3's default list.
        allowed_methods=RetryPolicy.DEFAULT_ALLOWED_METHODS | {"GET", "POST", "PATCH"},
        backoff_factor=RETRY_BACKOFF,
        secondary_rate_wait=SECONDARY_RATE_WAIT,
        max_rate_limit_wait=MAX_RATE_LIMIT_WAIT,
    )


@contextmanager
def _calling(what: str) -> Iterator[None]:
    """Turn PyGithub and transport errors into GitHubError; tokens live in headers, never in messages."""
    try:
        yield
    except GithubException as exc:
        message = exc.data.get("message", "") if isinstance(exc.data, dict) else ""
        raise GitHubError(f"{what}: HTTP {exc.status} {str(message)[:300]}".rstrip(), exc.status) from None
    except requests.exceptions.RetryError:
        raise GitHubError(f"{what}: GitHub kept failing after {RETRY_TOTAL} retries") from None
    except requests.RequestException as exc:
        raise GitHubError(f"{what}: {type(exc).__name__}: cannot reach GitHub") from None


def _pull_info(pull: Any) -> PullInfo:
    head_repo = pull.head.repo
    return PullInfo(
        number=pull.number,
        state=pull.state,
        html_url=pull.html_url,
        title=pull.title or "",
        body=pull.body or "",
        head_sha=pull.head.sha,
        head_ref=pull.head.ref,
        head_repo=head_repo.full_name if head_repo is not None else None,
        head_owner_type=head_repo.owner.type if head_repo is not None else None,
        base_ref=pull.base.ref,
        draft=bool(pull.draft),
        maintainer_can_modify=bool(pull.maintainer_can_modify),
    )


def _check_info(run: Any) -> CheckRunInfo:
    app = run.app
    return CheckRunInfo(run.id, run.name, run.head_sha, run.status, run.conclusion, app.slug if app else None,
                        run.html_url or "")


def _comment_info(comment: Any) -> CommentInfo:
    return CommentInfo(comment.id, comment.user.login if comment.user else "", comment.body or "", comment.html_url)


def _review_comment_info(comment: Any) -> ReviewCommentInfo:
    return ReviewCommentInfo(comment.id, comment.user.login if comment.user else "", comment.path, comment.body or "",
                             comment.line, comment.start_line, comment.commit_id)


@dataclass
class GitHubApi:
    """One installation token's view of the REST API; every method is one request unless it says so."""

    api_url: str
    token: str = field(repr=False)
    seconds_between_requests: float = 0.25
    seconds_between_writes: float = 1.0
    counts: RequestCounts = field(init=False, default_factory=RequestCounts)  # over the client's lifetime

    def __post_init__(self) -> None:
        self._github = Github(
            auth=Auth.Token(self.token),
            base_url=self.api_url,
            retry=retry_policy(self.counts),
            seconds_between_requests=self.seconds_between_requests,
            seconds_between_writes=self.seconds_between_writes,
            lazy=True,  # objects made from a url cost nothing until an attribute is read
            per_page=PER_PAGE,
            timeout=TIMEOUT,
            user_agent="docbot",
        )

    def close(self) -> None:
        self._github.close()

    def _repo(self, full_name: str) -> Any:
        return self._github.get_repo(full_name)

    def _comment(self, repo: str, comment_id: int) -> IssueComment:
        return IssueComment(self._github.requester, url=f"{self._repo(repo).url}/issues/comments/{comment_id}")

    def default_branch(self, repo: str) -> str:
        with _calling(f"reading {repo}"):
            return self._repo(repo).default_branch

    def get_pull(self, repo: str, number: int) -> PullInfo:
        with _calling(f"reading {repo}#{number}"):
            return _pull_info(self._repo(repo).get_pull(number).complete())

    def find_open_pull(self, repo: str, head_label: str, base: str) -> PullInfo | None:
        """The open PR from `owner:branch` into `base` (first page of one listing), or None."""
        with _calling(f"looking for the pull request {head_label} -> {base} in {repo}"):
            for pull in self._repo(repo).get_pulls(state="open", head=head_label, base=base):
                return _pull_info(pull)
        return None

    def find_pull_by_head_sha(self, repo: str, head_sha: str) -> PullInfo | None:
        """The open PR whose head is this commit (one request per 100 open PRs): forks have no other key."""
        with _calling(f"looking for the pull request with head {head_sha[:12]} in {repo}"):
            return next((_pull_info(p) for p in self._repo(repo).get_pulls(state="open") if p.head.sha == head_sha),
                        None)

    def list_pull_files(self, repo: str, number: int) -> dict[str, str | None]:
        """Path -> unified diff of every file of the PR (None when GitHub shows no patch); one request per 100."""
        with _calling(f"listing the files of {repo}#{number}"):
            return {f.filename: f.patch for f in self._repo(repo).get_pull(number).get_files()}

    def list_review_comments(self, repo: str, number: int) -> list[ReviewCommentInfo]:
        """Every review comment of the PR (one request per 100)."""
        with _calling(f"listing the review comments of {repo}#{number}"):
            return [_review_comment_info(c) for c in self._repo(repo).get_pull(number).get_review_comments()]

    def create_pull(self, repo: str, *, title: str, body: str, head: str, base: str) -> PullInfo:
        with _calling(f"opening a pull request {head} -> {base} in {repo}"):
            return _pull_info(self._repo(repo).create_pull(base=base, head=head, title=title, body=body))

    def edit_pull(self, repo: str, number: int, *, body: str | None = None, state: str | None = None) -> None:
        changes = {k: v for k, v in (("body", body), ("state", state)) if v is not None}
        with _calling(f"updating {repo}#{number}"):
            self._repo(repo).get_pull(number).edit(**changes)

    def delete_branch(self, repo: str, branch: str) -> bool:
        """Delete refs/heads/<branch>; False when it was already gone (404, or GitHub's 422)."""
        url = f"{self._repo(repo).url}/git/refs/heads/{quote(branch)}"
        try:
            with _calling(f"deleting the branch {branch} of {repo}"):
                GitRef(self._github.requester, url=url).delete()
        except GitHubError as exc:
            if exc.status in (404, 422):
                return False
            raise
        return True

    def list_issue_comments(self, repo: str, number: int) -> list[CommentInfo]:
        """Every conversation comment of an issue or PR (one request per 100 comments)."""
        with _calling(f"listing the comments of {repo}#{number}"):
            return [_comment_info(c) for c in self._repo(repo).get_issue(number).get_comments()]

    def create_issue_comment(self, repo: str, number: int, body: str) -> CommentInfo:
        with _calling(f"commenting on {repo}#{number}"):
            return _comment_info(self._repo(repo).get_issue(number).create_comment(body))

    def edit_issue_comment(self, repo: str, comment_id: int, body: str) -> None:
        with _calling(f"editing comment {comment_id} in {repo}"):
            self._comment(repo, comment_id).edit(body)

    def add_reaction(self, repo: str, comment_id: int, content: str) -> None:
        with _calling(f"reacting {content} to comment {comment_id} in {repo}"):
            self._comment(repo, comment_id).create_reaction(content)

    def list_check_runs(self, repo: str, head_sha: str, name: str) -> list[CheckRunInfo]:
        """Check runs called `name` on a commit, from every App."""
        with _calling(f"listing check runs on {head_sha[:12]} in {repo}"):
            return [_check_info(r) for r in self._repo(repo).get_commit(head_sha).get_check_runs(check_name=name)]

    def create_check_run(self, repo: str, name: str, head_sha: str, *, status: str,
                         conclusion: str | None = None, output: CheckOutput | None = None,
                         details_url: str | None = None) -> CheckRunInfo:
        extra = _check_fields(conclusion, output, details_url)
        with _calling(f"creating the check run {name} on {head_sha[:12]} in {repo}"):
            return _check_info(self._repo(repo).create_check_run(name=name, head_sha=head_sha, status=status, **extra))

    def update_check_run(self, repo: str, run_id: int, *, status: str, conclusion: str | None = None,
                         output: CheckOutput | None = None, details_url: str | None = None,
                         actions: Sequence[dict[str, str]] | None = None) -> None:
        # An empty list clears the buttons a run showed before.
        extra = _check_fields(conclusion, output, details_url) | ({} if actions is None else {"actions": list(actions)})
        with _calling(f"updating check run {run_id} in {repo}"):
            self._repo(repo).get_check_run(run_id).edit(status=status, **extra)

    def collaborator_permission(self, repo: str, login: str) -> str:
        """admin, write, read or none (a login GitHub does not know has none)."""
        try:
            with _calling(f"reading the permission of {login} on {repo}"):
                return self._repo(repo).get_collaborator_permission(login)
        except GitHubError as exc:
            if exc.status == 404:
                return "none"
            raise

    def create_review(self, repo: str, number: int, *, commit_id: str, body: str,
                      comments: Sequence[ReviewComment], event: str = "COMMENT") -> int:
        """One review on the PR at `commit_id`; GitHub rejects it whole if any comment is outside the diff."""
        commit = Commit(self._github.requester, attributes={"sha": commit_id}, completed=False)
        with _calling(f"reviewing {repo}#{number}"):
            review = self._repo(repo).get_pull(number).create_review(
                commit=commit, body=body, event=event, comments=[c.as_dict() for c in comments]
            )
            return review.id


def _check_fields(conclusion: str | None, output: CheckOutput | None, details_url: str | None) -> dict:
    fields: dict[str, Any] = {"conclusion": conclusion, "details_url": details_url}
    fields["output"] = output.as_dict() if output else None
    return {k: v for k, v in fields.items() if v is not None}


def app_slug(api_url: str, app_jwt: str) -> str:
    """The App's slug (its bot account is `<slug>[bot]`), read with the App's JWT."""
    github = Github(auth=Auth.AppAuthToken(app_jwt), base_url=api_url, retry=retry_policy(), timeout=TIMEOUT)
    try:
        with _calling("reading the App's own record"):
            _, data = github.requester.requestJsonAndCheck("GET", "/app")
            return str(data["slug"])
    finally:
        github.close()


def request_installation_token(api_url: str, app_jwt: str, installation_id: int) -> InstallationToken:
    """POST /app/installations/{id}/access_tokens with the App's JWT (not retried: the queue retries the job)."""
    github = Github(auth=Auth.AppAuthToken(app_jwt), base_url=api_url, retry=None, timeout=TIMEOUT)
    what = f"installation {installation_id}: access token request failed"
    try:
        with _calling(what):
            path = f"/app/installations/{installation_id}/access_tokens"
            _, data = github.requester.requestJsonAndCheck("POST", path)
    finally:
        github.close()
    try:
        return InstallationToken(data["token"], datetime.fromisoformat(data["expires_at"]).timestamp())
    except (KeyError, TypeError, ValueError):
        raise GitHubError(f"{what}: the answer has no token/expires_at") from None
