"""Routing: real webhook payloads in, whole Job / Ignored values out."""

import copy
import json
from pathlib import Path

import pytest

from bot.app.events import HANDLED_EVENTS, Ignored, Job, route
from bot.errors import WebhookError

FIXTURES = Path(__file__).parents[1] / "fixtures" / "webhooks"
OWN_BOT = "docbot[bot]"
HELLO_SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
ELECTRON_SHA = "5bd5f196a46b8222fb7484f05faba41a73cf34bd"
ALL_CONTRIBUTORS_BODY = (
    "@all-contributors please add jakebolam for code, doc and infra\n"
    "🤖 Beep boop! This comment was added automatically by [all-contributors-auto-action]"
    "(https://github.com/marketplace/actions/all-contributors-auto-action).\n"
    "Not all contributions can be detected from Git & GitHub alone. Please comment any missing"
    " contribution types this bot missed.\n...and of course, thank you for contributing! 💙"
)


def load(subpath: str) -> dict:
    return json.loads((FIXTURES / subpath).read_bytes())


def hello_world_pr(kind: str, **changes) -> Job:
    fields = dict(
        kind=kind,
        delivery_id="d-1",
        installation_id=1,
        repo="Codertocat/Hello-World",
        pr_number=2,
        head_sha=HELLO_SHA,
        head_ref="changes",
        head_repo="Codertocat/Hello-World",
        base_ref="master",
        sender_login="Codertocat",
        sender_type="User",
    )
    return Job(**(fields | changes))


def onboard(*repos: str) -> Job:
    return Job(kind="onboard", delivery_id="d-1", installation_id=957387, repo=repos[0], repositories=repos,
               pr_number=None, head_sha=None, head_ref=None, head_repo=None, base_ref=None,
               sender_login="Codertocat", sender_type="User")


CASES = [
    ("pull_request", "pull_request/opened.payload.json", hello_world_pr("pr_sync")),
    ("pull_request", "pull_request/synchronize.payload.json", hello_world_pr("pr_sync")),
    ("pull_request", "pull_request/closed.payload.json", hello_world_pr("pr_closed")),
    (
        "pull_request",
        "pull_request/ready_for_review.payload.json",
        Ignored("payload has no installation id (not a GitHub App delivery)"),
    ),
    (
        "pull_request",
        "extra/pr-triage_app/pull_request.edited.json",
        Ignored("action 'edited' of event 'pull_request' is not handled"),
    ),
    (
        "issue_comment",
        "issue_comment/created.with-installation.payload.json",
        Ignored("comment is on an issue, not a pull request"),
    ),
    (
        "issue_comment",
        "extra/all-contributors_app/issue_comment.created.json",
        Job(
            kind="command",
            delivery_id="d-1",
            installation_id=11111,
            repo="all-contributors/all-contributors-bot",
            pr_number=1,
            head_sha=None,
            head_ref=None,
            head_repo=None,
            base_ref=None,
            sender_login="jakebolam",
            sender_type="User",
            comment_id=453012966,
            comment_body=ALL_CONTRIBUTORS_BODY,
            author_association="MEMBER",
        ),
    ),
    (
        "check_run",
        "check_run/requested_action.payload.json",
        Job(
            kind="check_action",
            delivery_id="d-1",
            installation_id=690857,
            repo="electron/electron",
            pr_number=26764,
            head_sha=ELECTRON_SHA,
            head_ref="miniak/event-process-id",
            head_repo=None,
            base_ref="master",
            sender_login="codebytere",
            sender_type="User",
            action_identifier="lgtm|26764",
        ),
    ),
    (
        "check_suite",
        "check_suite/requested.payload.json",
        Ignored("action 'requested' of event 'check_suite' is not handled"),
    ),
    ("ping", "ping/payload.json", Ignored("event 'ping' needs no job")),
    ("ping", "ping/with-app_id.payload.json", Ignored("event 'ping' needs no job")),
    ("installation", "installation/created.payload.json", onboard("Codertocat/Hello-World")),
    ("installation_repositories", "installation_repositories/added.payload.json", onboard("Codertocat/Space")),
]


@pytest.mark.parametrize(("event", "fixture", "expected"), CASES, ids=[c[1] for c in CASES])
def test_route_real_payloads(event, fixture, expected):
    assert route(event, load(fixture), delivery_id="d-1") == expected


def test_issue_comment_without_installation_is_ignored():
    payload = load("issue_comment/created.payload.json")
    assert route("issue_comment", payload) == Ignored("payload has no installation id (not a GitHub App delivery)")


def test_unknown_event_is_ignored_with_its_name():
    assert route("star", {"action": "created"}) == Ignored("event 'star' is not handled")


def test_handled_events_are_exactly_the_routed_ones():
    assert HANDLED_EVENTS == {
        "pull_request",
        "issue_comment",
        "check_run",
        "check_suite",
        "push",
        "ping",
        "installation",
        "installation_repositories",
    }


def with_sender(payload: dict, login: str, kind: str = "Bot") -> dict:
    changed = copy.deepcopy(payload)
    changed["sender"] = dict(changed["sender"], login=login, type=kind)
    return changed


@pytest.mark.parametrize(
    ("event", "fixture", "action", "login"),
    [
        ("pull_request", "pull_request/opened.payload.json", "opened", "renovate[bot]"),
        # Our own companion PR, or our own summary comment: never a job.
        ("pull_request", "pull_request/opened.payload.json", "opened", OWN_BOT),
        ("issue_comment", "extra/all-contributors_app/issue_comment.created.json", "created", OWN_BOT),
    ],
)
def test_bot_senders_are_dropped(event, fixture, action, login):
    payload = with_sender(load(fixture), login)
    assert payload["action"] == action
    assert route(event, payload) == Ignored(f"sender {login!r} is a bot")


@pytest.mark.parametrize("login", [OWN_BOT, "other[bot]"])
def test_a_bots_push_to_a_pr_is_a_job_the_worker_judges(login):
    payload = with_sender(load("pull_request/synchronize.payload.json"), login)
    job = route("pull_request", payload, delivery_id="d-1")
    assert job == hello_world_pr("pr_sync", sender_login=login, sender_type="Bot")


def test_comment_edits_never_rerun():
    payload = load("extra/all-contributors_app/issue_comment.created.json")
    payload["action"] = "edited"
    assert route("issue_comment", payload) == Ignored("action 'edited' of event 'issue_comment' is not handled")


def test_deleted_fork_gives_no_head_repo_and_drafts_are_flagged():
    payload = load("pull_request/synchronize.payload.json")
    payload["pull_request"]["head"]["repo"] = None
    payload["pull_request"]["draft"] = True
    job = route("pull_request", payload, delivery_id="d-1")
    assert job == hello_world_pr("pr_sync", head_repo=None, draft=True)


def test_check_action_on_a_fork_pr_is_keyed_on_the_head_sha():
    payload = load("check_run/requested_action.payload.json")
    payload["check_run"]["pull_requests"] = []
    job = route("check_run", payload)
    assert (job.pr_number, job.base_ref, job.head_sha) == (None, None, ELECTRON_SHA)


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda p: p["pull_request"]["head"].pop("sha"), "pull_request.head.sha"),
        (lambda p: p["pull_request"].update(number="2"), "pull_request.number"),
        (lambda p: p["pull_request"].update(number=True), "pull_request.number"),
        (lambda p: p.pop("repository"), "repository.full_name"),
        (lambda p: p.update(sender=None), "sender.login"),
        (lambda p: p.update(pull_request=[]), "pull_request"),
    ],
)
def test_malformed_handled_payloads_raise_webhook_error(mutate, path):
    payload = load("pull_request/opened.payload.json")
    mutate(payload)
    with pytest.raises(WebhookError, match=f"payload field {path} is missing"):
        route("pull_request", payload)
