"""Pure routing: which webhook deliveries docbot acts on, and the job each one becomes."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from bot.errors import WebhookError

JobKind = Literal["pr_sync", "pr_closed", "command", "check_action", "rerun", "push_sync", "onboard"]

# Event -> the actions that become jobs. None: acknowledged, never a job. push has no action.
HANDLED_ACTIONS: Mapping[str, frozenset[str] | None] = {
    "pull_request": frozenset({"opened", "synchronize", "reopened", "ready_for_review", "closed"}),
    "issue_comment": frozenset({"created"}),
    "check_run": frozenset({"requested_action", "rerequested"}),
    "check_suite": frozenset({"rerequested"}),
    "push": frozenset({""}),
    "installation": frozenset({"created"}),
    "installation_repositories": frozenset({"added"}),
    "ping": None,
}
HANDLED_EVENTS: frozenset[str] = frozenset(HANDLED_ACTIONS)
REPO_NAME = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
NO_COMMIT = "0" * 40


@dataclass(frozen=True)
class Job:
    """What a worker needs to act on one delivery: primitives only, no payload."""

    kind: JobKind
    delivery_id: str
    installation_id: int
    repo: str
    pr_number: int | None
    head_sha: str | None
    head_ref: str | None
    head_repo: str | None
    base_ref: str | None
    sender_login: str
    sender_type: str
    draft: bool = False
    comment_id: int | None = None
    comment_body: str | None = None
    author_association: str | None = None
    action_identifier: str | None = None
    repositories: tuple[str, ...] = ()  # onboarding: every repository the installation added
    last_attempt: bool = False  # set by the queue: a failure of this run is not retried


@dataclass(frozen=True)
class Ignored:
    """A delivery that needs no job, and why."""

    reason: str


def route(event: str, payload: Mapping[str, Any], *, delivery_id: str = "") -> Job | Ignored:
    """Turn one delivery into a Job, or say why it is ignored; WebhookError if malformed."""
    if event not in HANDLED_ACTIONS:
        return Ignored(f"event {event[:100]!r} is not handled")
    actions = HANDLED_ACTIONS[event]
    if actions is None:
        return Ignored(f"event {event!r} needs no job")
    action = "" if event == "push" else _field(payload, "action")
    if action not in actions:
        return Ignored(f"action {action[:100]!r} of event {event!r} is not handled")
    sender = _field(payload, "sender", "login"), _field(payload, "sender", "type")
    # Bots' events are dropped, except pushes to a PR: the worker tells its own from others'.
    if sender[1] == "Bot" and (event, action) != ("pull_request", "synchronize"):
        return Ignored(f"sender {sender[0][:100]!r} is a bot")
    if not isinstance(payload.get("installation"), Mapping):
        return Ignored("payload has no installation id (not a GitHub App delivery)")
    common = {
        "delivery_id": delivery_id,
        "installation_id": _field(payload, "installation", "id", kind=int),
        "sender_login": sender[0],
        "sender_type": sender[1],
    }
    if event in ("installation", "installation_repositories"):
        return _onboard_job(payload, event, common)
    common["repo"] = _repo_name(_field(payload, "repository", "full_name"), "repository.full_name")
    if event == "pull_request":
        return _pull_request_job(payload, action, common)
    if event == "issue_comment":
        return _comment_job(payload, common)
    if event == "push":
        return _push_job(payload, common)
    if action == "rerequested":
        return _rerun_job(payload, event, common)
    return _check_action_job(payload, common)


def _pull_request_job(payload: Mapping[str, Any], action: str, common: dict) -> Job:
    pull = _field(payload, "pull_request", kind=Mapping)
    # head.repo is null when the fork was deleted.
    head_repo = _field(payload, "pull_request", "head", "repo", nullable=True, kind=Mapping)
    return Job(
        kind="pr_closed" if action == "closed" else "pr_sync",
        pr_number=_field(payload, "pull_request", "number", kind=int),
        head_sha=_field(payload, "pull_request", "head", "sha"),
        head_ref=_field(payload, "pull_request", "head", "ref"),
        head_repo=_repo_name(_field(head_repo, "full_name"), "pull_request.head.repo.full_name") if head_repo else None,
        base_ref=_field(payload, "pull_request", "base", "ref"),
        draft=pull.get("draft") is True,
        **common,
    )


def _comment_job(payload: Mapping[str, Any], common: dict) -> Job | Ignored:
    if not _field(payload, "issue", "pull_request", nullable=True, kind=Mapping):
        return Ignored("comment is on an issue, not a pull request")
    return Job(
        kind="command",
        pr_number=_field(payload, "issue", "number", kind=int),
        head_sha=None,
        head_ref=None,
        head_repo=None,
        base_ref=None,
        comment_id=_field(payload, "comment", "id", kind=int),
        comment_body=_field(payload, "comment", "body", nullable=True) or "",
        author_association=_field(payload, "comment", "author_association"),
        **common,
    )


def _first_pull(pulls: list) -> Mapping[str, Any]:
    # Fork PRs leave pull_requests empty: the head sha is the key then.
    return pulls[0] if pulls and isinstance(pulls[0], Mapping) else {}


def _check_action_job(payload: Mapping[str, Any], common: dict) -> Job | Ignored:
    pull = _first_pull(_field(payload, "check_run", "pull_requests", kind=list))
    return Job(
        kind="check_action",
        pr_number=_field(pull, "number", nullable=True, kind=int),
        head_sha=_field(payload, "check_run", "head_sha"),
        head_ref=_field(payload, "check_run", "check_suite", "head_branch", nullable=True),
        head_repo=None,
        base_ref=_field(pull, "base", "ref", nullable=True),
        action_identifier=_field(payload, "requested_action", "identifier"),
        **common,
    )


def _rerun_job(payload: Mapping[str, Any], event: str, common: dict) -> Job:
    """Re-run of docbot's check run or of its suite: the PR job again for that head."""
    branch = ("check_run", "check_suite", "head_branch") if event == "check_run" else ("check_suite", "head_branch")
    pull = _first_pull(_field(payload, event, "pull_requests", kind=list))
    return Job(
        kind="rerun",
        pr_number=_field(pull, "number", nullable=True, kind=int),
        head_sha=_field(payload, event, "head_sha"),
        head_ref=_field(payload, *branch, nullable=True) or None,
        head_repo=None,
        base_ref=_field(pull, "base", "ref", nullable=True) or None,
        **common,
    )


def _push_job(payload: Mapping[str, Any], common: dict) -> Job | Ignored:
    """Pushes to the default branch keep the mirror true; other branches and deletions cost no job."""
    default = _field(payload, "repository", "default_branch")
    ref, after = _field(payload, "ref"), _field(payload, "after")
    if ref != f"refs/heads/{default}":
        return Ignored("push to a branch other than the default branch")
    if _field(payload, "deleted", nullable=True, kind=bool) or after == NO_COMMIT:
        return Ignored("push deleted the branch")
    return Job(kind="push_sync", pr_number=None, head_sha=after, head_ref=default, head_repo=None,
               base_ref=default, **common)


def _onboard_job(payload: Mapping[str, Any], event: str, common: dict) -> Job | Ignored:
    """The App was installed on repositories: each gets its onboarding."""
    key = "repositories" if event == "installation" else "repositories_added"
    listed = _field(payload, key, kind=list)
    names = [_repo_name(_field({key: r}, key, "full_name"), f"{key}[].full_name") for r in listed]
    if not names:
        return Ignored(f"{key} lists no repository")
    return Job(kind="onboard", repo=names[0], repositories=tuple(sorted(set(names))), pr_number=None,
               head_sha=None, head_ref=None, head_repo=None, base_ref=None, **common)


def _repo_name(name: str, path: str) -> str:
    if not REPO_NAME.fullmatch(name) or {".", ".."} & set(name.split("/")):
        raise WebhookError(f"payload field {path} is not owner/name")
    return name


def _field(payload: Any, *keys: str, nullable: bool = False, kind: type = str) -> Any:
    """payload[k1][k2]...; WebhookError naming the dotted path when absent, mistyped or not UTF-8."""
    value: Any = payload
    for key in keys:
        value = value.get(key) if isinstance(value, Mapping) else None
        if value is None:
            break
    if value is None and nullable:
        return None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise WebhookError(f"payload field {_path(keys)} is missing or not a {kind.__name__}")
    if kind is str and not _is_utf8(value):
        raise WebhookError(f"payload field {_path(keys)} is not valid Unicode (a lone surrogate)")
    return value


def _path(keys: tuple[str, ...]) -> str:
    """Dotted path; the entries of the repository lists read as repositories[].full_name."""
    text = ".".join(keys)
    return text.replace("repositories.", "repositories[].").replace("repositories_added.", "repositories_added[].")


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
