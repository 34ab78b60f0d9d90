"""The state of the double: accounts, repositories, installations, PRs, comments, checks."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .errors import not_found
from .gitrepo import GitRepo

DEFAULT_PERMISSIONS = {
    "contents": "write",
    "pull_requests": "write",
    "issues": "write",
    "checks": "write",
    "metadata": "read",
}


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Account:
    login: str
    id: int
    type: str = "User"  # User | Organization | Bot


@dataclass
class App:
    id: int
    slug: str
    name: str
    client_id: str
    private_key_pem: str
    public_key_pem: str
    owner: Account
    bot: Account
    created_at: float


@dataclass
class Repo:
    owner: Account
    name: str
    id: int
    git: GitRepo
    default_branch: str
    private: bool = True
    parent: Repo | None = None
    deleted: bool = False
    collaborators: dict[str, str] = field(default_factory=dict)  # login -> role
    next_number: int = 1
    created_at: float = 0.0

    @property
    def full_name(self) -> str:
        return f"{self.owner.login}/{self.name}"


@dataclass
class Installation:
    id: int
    account: Account
    repo_ids: set[int] | None  # None: every repository of the account
    permissions: dict[str, str]

    def covers(self, repo: Repo) -> bool:
        if repo.deleted:
            return False
        if self.repo_ids is None:
            return repo.owner.login.lower() == self.account.login.lower()
        return repo.id in self.repo_ids


@dataclass
class Token:
    value: str
    installation: Installation
    expires_at: float
    permissions: dict[str, str]
    repo_ids: set[int] | None

    def covers(self, repo: Repo) -> bool:
        if not self.installation.covers(repo):
            return False
        return self.repo_ids is None or repo.id in self.repo_ids


@dataclass
class PullRequest:
    repo: Repo
    number: int
    id: int
    head_repo: Repo
    head_ref: str
    head_sha: str
    base_ref: str
    title: str
    body: str | None
    user: Account
    created_at: float
    updated_at: float
    draft: bool = False
    maintainer_can_modify: bool = False
    state: str = "open"
    merged: bool = False
    closed_at: float | None = None

    @property
    def head_label(self) -> str:
        return f"{self.head_repo.owner.login}:{self.head_ref}"

    @property
    def is_fork(self) -> bool:
        return self.head_repo is not self.repo


@dataclass
class IssueComment:
    id: int
    repo: Repo
    number: int
    user: Account
    body: str
    author_association: str
    created_at: float
    updated_at: float
    via_app: bool = False


@dataclass
class Reaction:
    id: int
    comment_id: int
    user: Account
    content: str
    created_at: float


@dataclass
class Review:
    id: int
    pull: PullRequest
    user: Account
    body: str
    state: str
    commit_id: str
    submitted_at: float | None
    author_association: str


@dataclass
class ReviewComment:
    id: int
    review: Review
    path: str
    body: str
    line: int | None
    side: str
    start_line: int | None
    start_side: str | None
    commit_id: str
    original_commit_id: str
    original_line: int
    position: int
    diff_hunk: str
    created_at: float
    outdated: bool = False
    applied: bool = False


@dataclass
class CheckRun:
    id: int
    repo: Repo
    name: str
    head_sha: str
    status: str
    conclusion: str | None
    started_at: float | None
    completed_at: float | None
    output: dict[str, Any]
    actions: list[dict[str, str]]
    details_url: str | None
    external_id: str | None


@dataclass
class Event:
    """A webhook GitHub would send for a change the double saw (delivered on demand)."""

    event: str
    action: str
    payload: dict[str, Any]


class World:
    """Every piece of state, guarded by one lock (handlers run one at a time)."""

    def __init__(self, api_url: str, web_url: str):
        self.lock = threading.RLock()
        self.api_url = api_url
        self.web_url = web_url
        self.clock = time.time
        self.token_lifetime = 3600.0
        self._ids = itertools.count(10_001)
        self.app: App | None = None
        self.accounts: dict[str, Account] = {}
        self.repos: dict[str, Repo] = {}
        self.installations: dict[int, Installation] = {}
        self.tokens: dict[str, Token] = {}
        self.pulls: list[PullRequest] = []
        self.comments: dict[int, IssueComment] = {}
        self.reactions: list[Reaction] = []
        self.reviews: dict[int, Review] = {}
        self.review_comments: dict[int, ReviewComment] = {}
        self.check_runs: dict[int, CheckRun] = {}
        self.events: list[Event] = []
        self.rate_used: dict[str, int] = {}

    def next_id(self) -> int:
        return next(self._ids)

    def now(self) -> float:
        return self.clock()

    def account(self, login: str, type: str = "User") -> Account:
        """The account with this login, created on first mention."""
        key = login.lower()
        if key not in self.accounts:
            self.accounts[key] = Account(login, self.next_id(), type)
        return self.accounts[key]

    def repo(self, owner: str, name: str) -> Repo:
        repo = self.repos.get(f"{owner}/{name}".lower())
        if repo is None or repo.deleted:
            raise not_found()
        return repo

    def pull(self, repo: Repo, number: int | str) -> PullRequest:
        for pull in self.pulls:
            if pull.repo is repo and str(pull.number) == str(number):
                return pull
        raise not_found()

    def pull_by_head(self, head_repo: Repo) -> list[PullRequest]:
        return [p for p in self.pulls if p.head_repo is head_repo and p.state == "open"]

    def comment(self, repo: Repo, comment_id: int | str) -> IssueComment:
        found = self.comments.get(int(comment_id)) if str(comment_id).isdigit() else None
        if found is None or found.repo is not repo:
            raise not_found()
        return found

    def association(self, repo: Repo, account: Account) -> str:
        if account.login.lower() == repo.owner.login.lower():
            return "OWNER"
        if repo.collaborators.get(account.login.lower(), "none") != "none":
            return "COLLABORATOR"
        return "NONE"
