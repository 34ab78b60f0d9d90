"""Pure routing: which webhook deliveries docbot acts on, and the job each one becomes."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from bot.errors import WebhookError

JobKind = Literal["pr_sync", "pr_closed", "command", "check_action"]

# Event -> the actions that become jobs. None: acknowledged, never a job.
HANDLED_ACTIONS: Mapping[str, frozenset[str] | None] = {
    "pull_request": frozenset({"opened", "synchronize", "reopened", "ready_for_review", "closed"}),
    "issue_comment": frozenset({"created"}),
    "check_run": frozenset({"requested_action"}),
    "ping": None,
    "installation": None,
    "installation_repositories": None,
}
HANDLED_EVENTS: frozenset[str] = frozenset(HANDLED_ACTIONS)


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


@dataclass(frozen=True)
class Ignored:
    """A delivery that needs no job, and why."""

    reason: str


def route(
    event: str,
    payload: Mapping[str, Any],
    *,
    delivery_id: str = "",
    own_bot_login: str | None = None,
) -> Job | Ignored:
    """Turn one delivery into a Job, or say why it is ignored; WebhookError if malformed."""
    if event not in HANDLED_ACTIONS:
        return Ignored(f"event {event!r} is not handled")
    actions = HANDLED_ACTIONS[event]
    if actions is None:
        return Ignored(f"event {event!r} needs no job")
    action = payload.get("action")
    if action not in actions:
        return Ignored(f"action {action!r} of event {event!r} is not handled")
    sender = _field(payload, "sender", "login"), _field(payload, "sender", "type")
    if sender[1] == "Bot" and not _is_own_push(event, action, sender[0], own_bot_login):
        return Ignored(f"sender {sender[0]!r} is a bot")
    installation = payload.get("installation")
    if not isinstance(installation, Mapping) or not isinstance(installation.get("id"), int):
        return Ignored("payload has no installation id (not a GitHub App delivery)")
    common = {
        "delivery_id": delivery_id,
        "installation_id": installation["id"],
        "repo": _field(payload, "repository", "full_name"),
        "sender_login": sender[0],
        "sender_type": sender[1],
    }
    if event == "pull_request":
        return _pull_request_job(payload, action, common)
    if event == "issue_comment":
        return _comment_job(payload, common)
    return _check_action_job(payload, common)


def _is_own_push(event: str, action: str, login: str, own_bot_login: str | None) -> bool:
    """Our own pushes still reach the loop guard, so the check run can be updated."""
    return (event, action) == ("pull_request", "synchronize") and login == own_bot_login


def _pull_request_job(payload: Mapping[str, Any], action: str, common: dict) -> Job:
    pull = _field(payload, "pull_request", kind=Mapping)
    # head.repo is null when the fork was deleted.
    head_repo = _field(payload, "pull_request", "head", "repo", nullable=True, kind=Mapping)
    return Job(
        kind="pr_closed" if action == "closed" else "pr_sync",
        pr_number=_field(payload, "pull_request", "number", kind=int),
        head_sha=_field(payload, "pull_request", "head", "sha"),
        head_ref=_field(payload, "pull_request", "head", "ref"),
        head_repo=_field(head_repo, "full_name") if head_repo else None,
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


def _check_action_job(payload: Mapping[str, Any], common: dict) -> Job | Ignored:
    # Fork PRs leave check_run.pull_requests empty: the head sha is the key then.
    pulls = _field(payload, "check_run", "pull_requests", kind=list)
    pull = pulls[0] if pulls and isinstance(pulls[0], Mapping) else {}
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


def _field(payload: Mapping[str, Any], *keys: str, nullable: bool = False, kind: type = str) -> Any:
    """payload[k1][k2]...; WebhookError naming the dotted path when absent or mistyped."""
    value: Any = payload
    for key in keys:
        value = value.get(key) if isinstance(value, Mapping) else None
        if value is None:
            break
    if value is None and nullable:
        return None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise WebhookError(f"payload field {'.'.join(keys)} is missing or not a {kind.__name__}")
    return value
