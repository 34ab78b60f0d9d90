"""Routing of the repository-lifecycle events: onboarding, default-branch pushes, re-runs; hostile fields."""

import copy
import json
import re
from pathlib import Path

import pytest

from bot.app.events import Ignored, Job, route
from bot.errors import WebhookError

FIXTURES = Path(__file__).parents[1] / "fixtures" / "webhooks"
ELECTRON_SHA = "5bd5f196a46b8222fb7484f05faba41a73cf34bd"
AFTER = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c"


def load(subpath: str) -> dict:
    return json.loads((FIXTURES / subpath).read_bytes())


def push_payload(ref: str = "refs/heads/main", after: str = AFTER, deleted: bool = False) -> dict:
    """A push as GitHub shapes it (the fields routing reads), on Codertocat/Hello-World."""
    base = load("pull_request/opened.payload.json")
    repository = dict(base["repository"], default_branch="main")
    return {
        "ref": ref, "before": "6113728f27ae82c7b1a177c8d03f9e96e0adf246", "after": after,
        "created": False, "deleted": deleted, "forced": False, "base_ref": None,
        "compare": "https://github.com/Codertocat/Hello-World/compare/6113728f27ae...0d1a26e67d8f",
        "commits": [], "head_commit": None, "repository": repository,
        "pusher": {"name": "Codertocat", "email": "21031067+Codertocat@users.noreply.github.com"},
        "sender": base["sender"], "installation": {"id": 42, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI="},
    }


def test_a_push_to_the_default_branch_is_a_push_sync():
    job = route("push", push_payload(), delivery_id="d-p")
    assert job == Job(kind="push_sync", delivery_id="d-p", installation_id=42, repo="Codertocat/Hello-World",
                      pr_number=None, head_sha=AFTER, head_ref="main", head_repo=None, base_ref="main",
                      sender_login="Codertocat", sender_type="User")


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (push_payload(ref="refs/heads/feature"), "push to a branch other than the default branch"),
        (push_payload(ref="refs/tags/main"), "push to a branch other than the default branch"),
        (push_payload(deleted=True, after="0" * 40), "push deleted the branch"),
        (push_payload(after="0" * 40), "push deleted the branch"),
    ],
)
def test_other_pushes_cost_no_job(payload, reason):
    assert route("push", payload) == Ignored(reason)


def test_installing_on_several_repositories_onboards_them_all_sorted():
    payload = load("installation/created.payload.json")
    payload["repositories"] = [dict(payload["repositories"][0], full_name=name) for name in ("o/zeta", "o/alpha")]
    job = route("installation", payload, delivery_id="d-i")
    assert (job.kind, job.repo, job.repositories, job.pr_number) == ("onboard", "o/zeta", ("o/alpha", "o/zeta"), None)


@pytest.mark.parametrize(("event", "action"), [("installation", "deleted"), ("installation_repositories", "removed")])
def test_other_installation_actions_are_ignored(event, action):
    payload = load(f"{event}/{'created' if event == 'installation' else 'added'}.payload.json")
    payload["action"] = action
    assert route(event, payload) == Ignored(f"action {action!r} of event {event!r} is not handled")


def test_rerun_of_the_check_run_is_the_pr_job_for_its_head():
    payload = load("check_run/requested_action.payload.json")
    payload["action"] = "rerequested"
    del payload["requested_action"]
    job = route("check_run", payload, delivery_id="d-r")
    assert job == Job(kind="rerun", delivery_id="d-r", installation_id=690857, repo="electron/electron",
                      pr_number=26764, head_sha=ELECTRON_SHA, head_ref="miniak/event-process-id", head_repo=None,
                      base_ref="master", sender_login="codebytere", sender_type="User")


def test_rerun_of_the_suite_of_a_fork_pr_is_keyed_on_the_head_sha():
    payload = load("check_suite/requested.payload.json")
    payload["action"] = "rerequested"
    job = route("check_suite", payload, delivery_id="d-s")
    suite = payload["check_suite"]
    assert (job.kind, job.head_sha, job.head_ref, job.pr_number, job.base_ref) == (
        "rerun", suite["head_sha"], suite["head_branch"], None, None)


def rerequested_suite_with_pull() -> dict:
    payload = load("check_suite/requested.payload.json")
    payload["action"] = "rerequested"
    pull = load("check_run/requested_action.payload.json")["check_run"]["pull_requests"][0]
    payload["check_suite"]["pull_requests"] = [pull]
    return payload


def test_rerun_of_the_suite_names_its_pull_request():
    job = route("check_suite", rerequested_suite_with_pull())
    assert (job.pr_number, job.base_ref) == (26764, "master")


HOSTILE = [
    ("pull_request", "pull_request/opened.payload.json", lambda p: p.update(action=[]), "action"),
    ("pull_request", "pull_request/opened.payload.json", lambda p: p.update(action={"a": 1}), "action"),
    ("pull_request", "pull_request/opened.payload.json", lambda p: p.update(action=7), "action"),
    ("pull_request", "pull_request/opened.payload.json", lambda p: p["installation"].update(id=True),
     "installation.id"),
    ("pull_request", "pull_request/opened.payload.json", lambda p: p["installation"].update(id="1"),
     "installation.id"),
    ("pull_request", "pull_request/opened.payload.json", lambda p: p["repository"].update(full_name=["a/b"]),
     "repository.full_name"),
    ("pull_request", "pull_request/opened.payload.json", lambda p: p["repository"].update(full_name="../x"),
     "repository.full_name"),
    ("pull_request", "pull_request/opened.payload.json", lambda p: p["repository"].update(full_name="a/\ud800"),
     "repository.full_name"),
    ("pull_request", "pull_request/opened.payload.json", lambda p: p["pull_request"]["head"].update(sha="\udfff"),
     "pull_request.head.sha"),
    ("pull_request", "pull_request/opened.payload.json", lambda p: p.update(action="opened\ud800"), "action"),
    ("check_run", "check_run/requested_action.payload.json", lambda p: p["check_run"].update(pull_requests={}),
     "check_run.pull_requests"),
    ("issue_comment", "extra/all-contributors_app/issue_comment.created.json",
     lambda p: p["comment"].update(id=True), "comment.id"),
    ("installation", "installation/created.payload.json", lambda p: p.update(repositories=[{"full_name": 3}]),
     "repositories[].full_name"),
    ("installation_repositories", "installation_repositories/added.payload.json",
     lambda p: p.update(repositories_added=None), "repositories_added"),
]


@pytest.mark.parametrize(("event", "fixture", "mutate", "path"), HOSTILE, ids=[h[3] + str(i) for i, h in
                                                                              enumerate(HOSTILE)])
def test_hostile_fields_where_routing_looks_are_webhook_errors(event, fixture, mutate, path):
    payload = copy.deepcopy(load(fixture))
    mutate(payload)
    with pytest.raises(WebhookError, match=f"payload field {re.escape(path)} "):
        route(event, payload)
