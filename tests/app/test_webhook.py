"""The webhook server end to end: real Flask app, real delivery log, real SQLite queue."""

import hashlib
import hmac
import json
import logging
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server

from bot.app.queue import DeliveryQueue
from bot.app.settings import Settings
from bot.app.webhook import MAX_PAYLOAD_BYTES, create_app, serve
from bot.errors import ConfigError

FIXTURES = Path(__file__).parents[1] / "fixtures" / "webhooks"
SECRET = "webhook-secret-for-tests-only"
REPO_ROOT = Path(__file__).resolve().parents[2]


def github_signature(secret: str, body: bytes) -> str:
    """X-Hub-Signature-256 as GitHub computes it: HMAC-SHA256 of the raw body, lower-case hex."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def github_headers(event: str, body: bytes, delivery: str | None = None, secret: str = SECRET):
    return {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
        "X-Hub-Signature-256": github_signature(secret, body),
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/tests",
    }


def environment_without_settings() -> dict[str, str]:
    """This process's environment less any GITHUB_* / DOCBOT_* variable a developer has set."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "DOCBOT_"))}


def fixture_bytes(subpath: str) -> bytes:
    return (FIXTURES / subpath).read_bytes()


@pytest.fixture
def webhook_settings(tmp_path):
    return Settings(webhook_secret=SECRET, data_dir=tmp_path / "data", bot_login="docbot[bot]")


@pytest.fixture
def webhook_queue(webhook_settings):
    """The queue and delivery log the app writes to, opened independently to observe them."""
    queue = DeliveryQueue(webhook_settings)
    yield queue
    queue.huey.storage.close()


@pytest.fixture
def webhook_client(webhook_settings, webhook_queue):
    return create_app(webhook_settings).test_client()


def post(client, event: str, body: bytes, **kwargs):
    return client.post("/webhook", data=body, headers=github_headers(event, body, **kwargs))


def test_valid_delivery_is_recorded_and_enqueued_once(webhook_client, webhook_queue):
    body = fixture_bytes("pull_request/opened.payload.json")
    response = post(webhook_client, "pull_request", body, delivery="d-opened")
    assert (response.status_code, response.get_json()) == (
        202,
        {"status": "queued", "delivery": "d-opened"},
    )
    delivery = webhook_queue.log.get("d-opened")
    assert (delivery.event, delivery.action, delivery.status, delivery.attempts) == (
        "pull_request",
        "opened",
        "queued",
        0,
    )
    assert delivery.payload == body
    assert webhook_queue.depth() == 1


def test_redelivery_makes_no_second_job(webhook_client, webhook_queue):
    body = fixture_bytes("pull_request/opened.payload.json")
    first = post(webhook_client, "pull_request", body, delivery="d-same")
    again = post(webhook_client, "pull_request", body, delivery="d-same")
    assert first.get_json()["status"] == "queued"
    assert (again.status_code, again.get_json()) == (
        202,
        {"status": "duplicate", "delivery": "d-same"},
    )
    assert webhook_queue.depth() == 1
    assert webhook_queue.log.counts()["queued"] == 1


@pytest.mark.parametrize(
    "signature_headers",
    [
        pytest.param(
            lambda body: {"X-Hub-Signature-256": github_signature("not-the-secret", body)},
            id="forged",
        ),
        pytest.param(lambda body: {"X-Hub-Signature-256": ""}, id="empty"),
        pytest.param(lambda body: {}, id="missing"),
        pytest.param(
            lambda body: {"X-Hub-Signature": "sha1=" + hmac.new(SECRET.encode(), body, "sha1").hexdigest()},
            id="sha1-only",
        ),
    ],
)
def test_bad_signature_is_401_and_nothing_is_recorded(webhook_client, webhook_queue, signature_headers):
    body = fixture_bytes("pull_request/opened.payload.json")
    headers = {"X-GitHub-Event": "pull_request", "X-GitHub-Delivery": "d-forged"}
    response = webhook_client.post("/webhook", data=body, headers=headers | signature_headers(body))
    assert response.status_code == 401
    assert webhook_queue.log.get("d-forged") is None
    assert webhook_queue.depth() == 0


def test_signature_over_another_body_is_401(webhook_client, webhook_queue):
    body = fixture_bytes("pull_request/opened.payload.json")
    headers = github_headers("pull_request", body, delivery="d-tampered")
    tampered = body.replace(b'"opened"', b'"closed"', 1)
    response = webhook_client.post("/webhook", data=tampered, headers=headers)
    assert response.status_code == 401
    assert webhook_queue.log.get("d-tampered") is None


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2, 3]", b'"a string"', b"\xff\xfe{}", b""],
    ids=["broken", "array", "string", "not-utf8", "empty"],
)
def test_malformed_or_non_object_json_is_400(webhook_client, webhook_queue, body):
    response = post(webhook_client, "pull_request", body, delivery="d-bad")
    assert response.status_code == 400
    assert "error" in response.get_json()
    assert webhook_queue.log.get("d-bad") is None


def test_handled_event_with_a_broken_payload_is_400(webhook_client, webhook_queue):
    payload = json.loads(fixture_bytes("pull_request/opened.payload.json"))
    del payload["pull_request"]["head"]["sha"]
    response = post(webhook_client, "pull_request", json.dumps(payload).encode(), delivery="d-x")
    assert response.status_code == 400
    assert "pull_request.head.sha" in response.get_json()["error"]
    assert webhook_queue.log.get("d-x") is None


@pytest.mark.parametrize("missing", ["X-GitHub-Event", "X-GitHub-Delivery"])
def test_missing_github_headers_are_400(webhook_client, webhook_queue, missing):
    body = fixture_bytes("pull_request/opened.payload.json")
    headers = github_headers("pull_request", body)
    del headers[missing]
    response = webhook_client.post("/webhook", data=body, headers=headers)
    assert response.status_code == 400
    assert webhook_queue.log.counts() == dict.fromkeys(webhook_queue.log.counts(), 0)


@pytest.mark.parametrize(
    ("event", "fixture", "reason"),
    [
        ("star", "pull_request/opened.payload.json", "event 'star' is not handled"),
        (
            "check_suite",
            "check_suite/requested.payload.json",
            "action 'requested' of event 'check_suite' is not handled",
        ),
        ("ping", "ping/with-app_id.payload.json", "event 'ping' needs no job"),
        (
            "issue_comment",
            "issue_comment/created.with-installation.payload.json",
            "comment is on an issue, not a pull request",
        ),
    ],
)
def test_unhandled_deliveries_are_acknowledged_as_ignored(webhook_client, webhook_queue, event, fixture, reason):
    response = post(webhook_client, event, fixture_bytes(fixture), delivery="d-ign")
    assert (response.status_code, response.get_json()) == (
        202,
        {"status": "ignored", "reason": reason, "delivery": "d-ign"},
    )
    delivery = webhook_queue.log.get("d-ign")
    assert (delivery.status, delivery.error, delivery.payload) == ("ignored", reason, b"")
    assert webhook_queue.depth() == 0


def test_comment_on_a_pull_request_becomes_a_job(webhook_client, webhook_queue):
    body = fixture_bytes("extra/all-contributors_app/issue_comment.created.json")
    response = post(webhook_client, "issue_comment", body, delivery="d-comment")
    assert response.get_json() == {"status": "queued", "delivery": "d-comment"}
    assert webhook_queue.log.get("d-comment").status == "queued"
    assert webhook_queue.depth() == 1


def test_healthz_reports_queue_depth_and_delivery_counts(webhook_client):
    post(webhook_client, "pull_request", fixture_bytes("pull_request/opened.payload.json"))
    post(webhook_client, "ping", fixture_bytes("ping/payload.json"))
    response = webhook_client.get("/healthz")
    assert (response.status_code, response.get_json()) == (
        200,
        {
            "status": "ok",
            "queue_depth": 1,
            "deliveries": {"queued": 1, "running": 0, "done": 0, "failed": 0, "ignored": 1},
            "log": {"rows": 2, "rows_with_payload": 1, "bytes": response.get_json()["log"]["bytes"],
                    "retention_days": 7.0},
        },
    )
    assert response.get_json()["log"]["bytes"] > 0


def test_body_over_25_mb_is_413_and_nothing_is_recorded(webhook_client, webhook_queue):
    body = b"{" + b" " * MAX_PAYLOAD_BYTES + b"}"
    response = post(webhook_client, "pull_request", body, delivery="d-huge")
    assert response.status_code == 413
    assert "error" in response.get_json()
    assert webhook_queue.log.get("d-huge") is None


def test_queue_refusal_is_503_and_the_delivery_stays_queued_for_the_worker(webhook_settings):
    def refuse(delivery_id: str) -> None:
        raise ConnectionError("queue down")

    client = create_app(webhook_settings, enqueue=refuse).test_client()
    body = fixture_bytes("pull_request/opened.payload.json")
    response = post(client, "pull_request", body, delivery="d-down")
    assert response.status_code == 503
    assert response.get_json()["status"] == "recorded"
    assert DeliveryQueue(webhook_settings).log.pending() == ["d-down"]


def test_logs_carry_the_delivery_id_but_no_signature_secret_or_body(webhook_client, caplog):
    body = fixture_bytes("pull_request/opened.payload.json")
    headers = github_headers("pull_request", body, delivery="d-logged")
    with caplog.at_level(logging.DEBUG):
        webhook_client.post("/webhook", data=body, headers=headers)
        webhook_client.post("/webhook", data=body, headers=github_headers("x", body, secret="bad"))
    assert "d-logged" in caplog.text
    for secret_text in (SECRET, headers["X-Hub-Signature-256"][7:], "Codertocat/Hello-World"):
        assert secret_text not in caplog.text


def test_real_http_on_loopback(webhook_settings, webhook_queue):
    server = make_server("127.0.0.1", 0, create_app(webhook_settings), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    body = fixture_bytes("pull_request/synchronize.payload.json")
    try:
        with requests.Session() as http:
            headers = github_headers("pull_request", body, delivery="d-http")
            accepted = http.post(f"{base}/webhook", data=body, headers=headers, timeout=10)
            health = http.get(f"{base}/healthz", timeout=10)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    assert (accepted.status_code, accepted.json()) == (
        202,
        {"status": "queued", "delivery": "d-http"},
    )
    assert health.json()["queue_depth"] == 1
    assert webhook_queue.log.get("d-http").payload == body


def test_server_refuses_to_start_without_the_secret(tmp_path):
    settings = Settings(data_dir=tmp_path)
    for start in (lambda: create_app(settings), lambda: serve(settings, "127.0.0.1", 0)):
        with pytest.raises(ConfigError, match="GITHUB_WEBHOOK_SECRET is not set"):
            start()
    assert not (tmp_path / "deliveries.sqlite3").exists()


@pytest.mark.parametrize("secret", [None, SECRET])
def test_wsgi_entry_point_reads_the_environment(tmp_path, secret):
    env = environment_without_settings()
    env["DOCBOT_DATA_DIR"] = str(tmp_path)
    if secret:
        env["GITHUB_WEBHOOK_SECRET"] = secret
    code = "import bot.wsgi; print(type(bot.wsgi.app).__name__)"
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO_ROOT, capture_output=True, text=True)
    if secret:
        assert (result.returncode, result.stdout) == (0, "Flask\n")
    else:
        assert result.returncode != 0
        assert "GITHUB_WEBHOOK_SECRET is not set" in result.stderr


def wait_for_text(path: Path, pattern: str, proc: subprocess.Popen, timeout: float = 30.0):
    """Poll a log file for a regex; fail early when the process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(pattern, path.read_text(errors="replace"))
        if found:
            return found
        assert proc.poll() is None, path.read_text(errors="replace")
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {pattern!r} in {path}")


@pytest.fixture
def gunicorn_url(tmp_path):
    """bot.wsgi:app under gunicorn with four worker processes on a free loopback port."""
    env = environment_without_settings()
    env |= {"GITHUB_WEBHOOK_SECRET": SECRET, "DOCBOT_DATA_DIR": str(tmp_path / "data")}
    log = tmp_path / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "-w", "4", "-b", "127.0.0.1:0", "bot.wsgi:app"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=out, stderr=out)
    try:
        port = wait_for_text(log, r"Listening at: http://127\.0\.0\.1:(\d+)", proc).group(1)
        wait_for_text(log, r"(?s)(Booting worker.*){4}", proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.slow
def test_gunicorn_workers_race_on_one_delivery_and_enqueue_it_once(gunicorn_url, tmp_path):
    body = fixture_bytes("pull_request/opened.payload.json")
    same = github_headers("pull_request", body, delivery="d-race")
    others = [github_headers("pull_request", body) for _ in range(12)]

    def send(headers) -> str:
        with requests.Session() as http:
            reply = http.post(f"{gunicorn_url}/webhook", data=body, headers=headers, timeout=30)
        assert reply.status_code == 202, reply.text
        return reply.json()["status"]

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(send, [same] * 12 + others))
    assert sorted(statuses[:12]) == ["duplicate"] * 11 + ["queued"]
    assert statuses[12:] == ["queued"] * 12
    settings = Settings(webhook_secret=SECRET, data_dir=tmp_path / "data")
    queue = DeliveryQueue(settings)
    try:
        assert queue.depth() == 13
        assert queue.log.counts()["queued"] == 13
    finally:
        queue.huey.storage.close()
