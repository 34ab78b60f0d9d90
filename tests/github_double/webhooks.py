"""Webhook deliveries built from real payload examples, filled with the double's state,
and signed exactly as GitHub signs them."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import uuid
from functools import cache
from pathlib import Path
from typing import Any

from .model import Account, CheckRun, Installation, IssueComment, PullRequest, Repo, World
from .render_core import installation_json, node_id, repo_json, user_json
from .render_objects import check_run_json, comment_json, issue_json, pull_json

FIXTURES = Path(__file__).parent.parent / "fixtures" / "webhooks"
FIXTURE_FILES = {
    ("pull_request", "opened"): "pull_request/opened.payload.json",
    ("pull_request", "synchronize"): "pull_request/synchronize.payload.json",
    ("pull_request", "closed"): "pull_request/closed.payload.json",
    ("pull_request", "ready_for_review"): "pull_request/ready_for_review.payload.json",
    ("pull_request", "edited"): "extra/pr-triage_app/pull_request.edited.json",
    ("pull_request", "*"): "pull_request/opened.payload.json",
    # The only public example of a comment on a pull request (issue.pull_request present).
    ("issue_comment", "*"): "extra/all-contributors_app/issue_comment.created.json",
    ("check_run", "*"): "check_run/requested_action.payload.json",
    ("check_suite", "*"): "check_suite/requested.payload.json",
    ("ping", "*"): "ping/with-app_id.payload.json",
    ("installation", "*"): "installation/created.payload.json",
    ("installation_repositories", "*"): "installation_repositories/added.payload.json",
    ("push", "*"): None,  # no public example in the fixtures: built whole by _push, as GitHub shapes it
}
USER_AGENT = "GitHub-Hookshot/5b2ae2f"


def sign(secret: str | bytes, body: bytes) -> str:
    """X-Hub-Signature-256: "sha256=" + hex HMAC-SHA256 of the raw body."""
    key = secret.encode() if isinstance(secret, str) else secret
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


@cache
def _fixture_text(event: str, action: str) -> str:
    name = FIXTURE_FILES.get((event, action)) or FIXTURE_FILES[(event, "*")]
    return (FIXTURES / name).read_text() if name else "{}"


def fixture(event: str, action: str) -> dict[str, Any]:
    return copy.deepcopy(json.loads(_fixture_text(event, action)))


def installation_of(world: World, repo: Repo) -> Installation | None:
    return next((i for i in world.installations.values() if i.covers(repo)), None)


def build_payload(world: World, event: str, action: str, obj: Any = None, *,
                  sender: Account | None = None, **extra: Any) -> dict[str, Any]:
    """The real example payload with repository, installation, sender and subject replaced."""
    payload = fixture(event, action)
    if "action" in payload or event not in ("ping", "push"):
        payload["action"] = action
    builder = BUILDERS.get(event)
    repo, default_sender = builder(world, payload, obj, extra) if builder else (None, None)
    sender = sender or default_sender or world.app.owner
    payload["sender"] = user_json(world, sender)
    if repo is not None:
        _set_context(world, payload, repo)
    payload.update(extra)
    return payload


def _set_context(world: World, payload: dict[str, Any], repo: Repo) -> None:
    payload["repository"] = repo_json(world, repo)
    installation = installation_of(world, repo)
    payload.pop("installation", None)
    if installation is not None:
        payload["installation"] = {"id": installation.id,
                                   "node_id": node_id("Installation", installation.id)}
    payload.pop("organization", None)
    if repo.owner.type == "Organization":
        org = user_json(world, repo.owner)
        payload["organization"] = {k: org[k] for k in ("login", "id", "node_id", "url")}


def _pull_request(world: World, payload: dict, pull: PullRequest, extra: dict):
    payload["number"] = pull.number
    payload["pull_request"] = pull_json(world, pull)
    for key in ("before", "after", "changes"):
        payload.pop(key, None)
    if payload["action"] == "synchronize":
        payload["before"] = extra.pop("before", pull.head_sha)
        payload["after"] = extra.pop("after", pull.head_sha)
    if payload["action"] == "edited":
        payload["changes"] = extra.pop("changes", {})
    return pull.repo, pull.user


def _issue_comment(world: World, payload: dict, comment: IssueComment, extra: dict):
    pull = world.pull(comment.repo, comment.number)
    payload["issue"] = issue_json(world, pull)
    payload["comment"] = comment_json(world, comment)
    payload.pop("changes", None)
    if payload["action"] == "edited":
        payload["changes"] = extra.pop("changes", {})
    return comment.repo, comment.user


def _check_run(world: World, payload: dict, run: CheckRun, extra: dict):
    suite = payload["check_run"].get("check_suite") or {}
    payload["check_run"] = check_run_json(world, run)
    # The suite's branch is the PR head's name (in the fork for a fork PR); its pull_requests
    # are the check run's: empty for forks.
    branch = next((p.head_ref for p in world.pulls if p.repo is run.repo
                   and p.head_sha == run.head_sha and p.state == "open"), None)
    payload["check_run"]["check_suite"] = {
        **suite, "id": run.id + 1, "head_sha": run.head_sha, "head_branch": branch,
        "before": None, "after": run.head_sha, "app": payload["check_run"]["app"],
        "pull_requests": payload["check_run"]["pull_requests"]}
    payload.pop("requested_action", None)
    if payload["action"] == "requested_action":
        payload["requested_action"] = {"identifier": extra.pop("identifier", "")}
    return run.repo, run.repo.owner


def _check_suite(world: World, payload: dict, run: CheckRun, extra: dict):
    """The suite of one of the double's check runs (Re-run all checks arrives as its rerequested)."""
    repo, sender = _check_run(world, {"check_run": {}, "action": ""}, run, {})
    suite = check_run_json(world, run)
    branch = next((p.head_ref for p in world.pulls if p.repo is run.repo
                   and p.head_sha == run.head_sha and p.state == "open"), None)
    payload["check_suite"] = {
        **payload["check_suite"], "id": run.id + 1, "head_sha": run.head_sha, "head_branch": branch,
        "before": None, "after": run.head_sha, "status": run.status, "conclusion": run.conclusion,
        "pull_requests": suite["pull_requests"], "app": suite["app"]}
    return repo, sender


NO_COMMIT = "0" * 40


def _push(world: World, payload: dict, push: dict[str, Any], extra: dict):
    """A push of `push["after"]` onto `push["branch"]` of `push["repo"]` (owner/name); after all zeros deletes."""
    repo = world.repos[push["repo"].lower()]
    branch = push.get("branch", repo.default_branch)
    after = push.get("after") or repo.git.branch_sha(branch)
    before = push.get("before", NO_COMMIT)
    deleted = after == NO_COMMIT
    head = None if deleted else {"id": after, "tree_id": repo.git.resolve(after, "tree"),
                                 "distinct": True, "message": push.get("message", "Update"),
                                 "url": f"https://github.com/{repo.full_name}/commit/{after}"}
    payload.update({
        "ref": f"refs/heads/{branch}", "before": before, "after": after,
        "created": before == NO_COMMIT, "deleted": deleted, "forced": False, "base_ref": None,
        "compare": f"https://github.com/{repo.full_name}/compare/{before[:12]}...{after[:12]}",
        "commits": [head] if head else [], "head_commit": head,
        "pusher": {"name": repo.owner.login, "email": f"{repo.owner.id}+{repo.owner.login}@users.noreply.github.com"},
    })
    return repo, repo.owner


def _installation(world: World, payload: dict, installation: Installation, extra: dict):
    payload["installation"] = installation_json(world, installation)
    repos = [{"id": r.id, "node_id": node_id("Repository", r.id), "name": r.name,
              "full_name": r.full_name, "private": r.private}
             for r in world.repos.values() if installation.covers(r)]
    key = "repositories" if "repositories" in payload else "repositories_added"
    payload[key] = repos
    payload.pop("requester", None)
    return None, installation.account


def _ping(world: World, payload: dict, obj: Any, extra: dict):
    payload["hook"]["app_id"] = world.app.id
    payload.pop("repository", None)
    payload.pop("organization", None)
    return None, world.app.owner


BUILDERS = {"pull_request": _pull_request, "issue_comment": _issue_comment,
            "check_run": _check_run, "check_suite": _check_suite, "push": _push, "ping": _ping,
            "installation": _installation, "installation_repositories": _installation}


def request_parts(world: World, secret: str, event: str, payload: dict[str, Any],
                  delivery_id: str | None = None, hook_id: int = 1) -> tuple[dict, bytes]:
    """Headers and raw body of one delivery; reuse `delivery_id` to simulate a redelivery."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    key = secret.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery_id or str(uuid.uuid4()),
        "X-GitHub-Hook-ID": str(hook_id),
        "X-GitHub-Hook-Installation-Target-ID": str(world.app.id),
        "X-GitHub-Hook-Installation-Target-Type": "integration",
        "X-Hub-Signature": "sha1=" + hmac.new(key, body, hashlib.sha1).hexdigest(),
        "X-Hub-Signature-256": sign(secret, body),
    }
    return headers, body
