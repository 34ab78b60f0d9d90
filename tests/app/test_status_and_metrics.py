"""GET /status (bearer token, HTML, no secrets or payloads) and GET /metrics (Prometheus text)."""

import shutil
import subprocess
import tempfile
import threading

import pytest
from test_queue import OPENED, run_next
from test_webhook import SECRET, github_headers
from werkzeug.serving import make_server

from bot.app.metrics import count_github_use
from bot.app.queue import DeliveryQueue
from bot.app.settings import Settings
from bot.app.webhook import create_app
from bot.errors import PermanentError

TOKEN = "admin-token-for-tests"


@pytest.fixture
def settings(tmp_path):
    return Settings(webhook_secret=SECRET, data_dir=tmp_path / "data", admin_token=TOKEN,
                    api_url="https://ghe.example.com/api/v3")


def run_some_jobs(settings: Settings) -> None:
    """Three real deliveries through the webhook and the queue: done, failed, queued."""
    outcomes = iter(["ok", PermanentError("exclude must be a list\nsecond line")])

    def runner(job, s):
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    client = create_app(settings).test_client()
    queue = DeliveryQueue(settings, runner=runner)
    try:
        for delivery in ("d-ok", "d-bad", "d-waiting"):
            client.post("/webhook", data=OPENED, headers=github_headers("pull_request", OPENED, delivery=delivery))
        run_next(queue)
        run_next(queue)
    finally:
        queue.huey.storage.close()


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}", TOKEN])
def test_status_without_the_token_is_401_and_names_no_repository(settings, header):
    run_some_jobs(settings)
    client = create_app(settings).test_client()
    response = client.get("/status", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert "Hello-World" not in response.get_data(as_text=True)


def test_status_is_off_while_the_token_is_unset(tmp_path):
    settings = Settings(webhook_secret=SECRET, data_dir=tmp_path / "data")
    response = create_app(settings).test_client().get("/status", headers={"Authorization": "Bearer "})
    assert response.status_code == 401


def test_status_shows_the_queue_deliveries_and_repositories_but_no_secret_or_payload(settings):
    run_some_jobs(settings)
    client = create_app(settings).test_client()
    response = client.get("/status", headers={"Authorization": f"Bearer {TOKEN}"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.content_type.startswith("text/html")
    assert 'queue depth <strong id="queue-depth">1</strong>' in page
    assert page.count("<td>pull_request.opened</td>") == 3
    assert "exclude must be a list" in page and "second line" not in page
    assert 'href="https://ghe.example.com/Codertocat/Hello-World/pull/2"' in page
    assert "payloads kept 7.0 days" in page
    for secret in (SECRET, TOKEN, '"node_id"', "Codertocat/Hello-World/pull/2.diff"):
        assert secret not in page
    assert "<script" not in page


def test_a_thousand_deliveries_are_all_listed(settings):
    queue = DeliveryQueue(settings)
    try:
        for index in range(1000):
            queue.log.record(f"d-{index}", "pull_request", "opened", OPENED, repo=f"o/r{index % 7}", pr_number=index)
    finally:
        queue.huey.storage.close()
    page = create_app(settings).test_client().get(
        "/status?rows=1000", headers={"Authorization": f"Bearer {TOKEN}"}).get_data(as_text=True)
    assert page.count("<td>pull_request.opened</td>") == 1000


def test_metrics_count_deliveries_durations_depth_and_github_counters(settings):
    run_some_jobs(settings)
    count_github_use(settings, 8, waits=1, seconds=60)
    text = create_app(settings).test_client().get("/metrics").get_data(as_text=True)
    for line in (
        'docbot_deliveries{event="pull_request",status="done"} 1.0',
        'docbot_deliveries{event="pull_request",status="failed"} 1.0',
        'docbot_deliveries{event="pull_request",status="queued"} 1.0',
        "docbot_queue_depth 1.0",
        'docbot_job_duration_seconds_bucket{le="+Inf"} 2.0',
        "docbot_delivery_log_rows 3.0",
        "docbot_github_requests_total 8.0",
        "docbot_github_rate_limit_waits_total 1.0",
        "docbot_github_rate_limit_wait_seconds_total 60.0",
    ):
        assert line in text.splitlines(), line


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "headless Chromium is needed: apt-get install chromium (see the README's quick start)"
    return found


def test_a_real_browser_renders_the_status_page_after_real_jobs(settings, tmp_path):
    run_some_jobs(settings)
    server = make_server("127.0.0.1", 0, create_app(settings), threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/status"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage"]
    try:
        with tempfile.TemporaryDirectory() as profile:
            # Headless Chromium cannot add a request header from its command line, so it loads the
            # page through a loopback forwarder that adds the bearer token (as an operator's proxy would).
            proxy = make_server("127.0.0.1", 0, _bearer_forwarder(url), threaded=True)
            proxy_thread = threading.Thread(target=proxy.serve_forever, args=(0.01,), daemon=True)
            proxy_thread.start()
            try:
                page_url = f"http://127.0.0.1:{proxy.server_port}/status"
                shot = tmp_path / "status.png"
                common = [chromium(), *flags, f"--user-data-dir={profile}"]
                subprocess.run([*common, f"--screenshot={shot}", "--window-size=1280,900", page_url],
                               check=True, capture_output=True, timeout=120)
                dom = subprocess.run([*common, "--dump-dom", page_url], check=True, capture_output=True,
                                     text=True, timeout=120).stdout
            finally:
                proxy.shutdown()
                proxy.server_close()
    finally:
        server.shutdown()
        server.server_close()
    assert shot.stat().st_size > 1000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert '<strong id="queue-depth">1</strong>' in dom
    assert dom.count("pull_request.opened") == 3
    assert '<a href="https://ghe.example.com/Codertocat/Hello-World/pull/2">#2</a>' in dom


def _bearer_forwarder(target: str):
    """A WSGI app that fetches `target` with the admin token, for a browser that cannot send the header."""
    import requests

    def app(environ, start_response):
        reply = requests.get(target, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
        start_response(f"{reply.status_code} {reply.reason}", [("Content-Type", reply.headers["Content-Type"])])
        return [reply.content]

    return app
