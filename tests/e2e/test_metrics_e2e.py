"""GET /metrics counts what jobs sent to GitHub: a real `docbot worker` runs the job in a child process,
and the web process shows the counters they share in the delivery log."""

from __future__ import annotations

import requests
from apphost import stop_worker, wait_until

FILES = {"src/widgets/shapes.py": '"""Shapes."""\n', ".github/docbot.yml": "mode: branch\n"}
CHANGE = {"src/widgets/shapes.py": '"""Shapes and sizes."""\n\n\ndef area(width, height):\n    return width * height\n'}


def metrics(app) -> dict[str, float]:
    """The samples of the real server's /metrics page, by name (with labels)."""
    answer = requests.get(app.url.removesuffix("/webhook") + "/metrics", timeout=10)
    assert answer.status_code == 200
    samples = [line.rsplit(" ", 1) for line in answer.text.splitlines() if line and not line.startswith("#")]
    return {name: float(value) for name, value in samples}


def test_a_job_in_a_worker_adds_its_github_requests_and_rate_limit_waits_to_metrics(github, docbot_app, tmp_path):
    github.create_repo("octo", "widgets", files=FILES)
    github.install("octo")
    github.open_pull_request("octo", "widgets", head="feature", files=CHANGE)
    docbot_app.deliver_events()
    github.reset_requests()
    server_error = github.fail_next("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", status=502)
    limited = [github.fail_next("POST", "/repos/{owner}/{repo}/check-runs", status=429, retry_after=1),
               github.fail_next("PATCH", "/repos/{owner}/{repo}/check-runs/{check_run_id}", status=403, retry_after=1)]
    assert metrics(docbot_app)["docbot_github_requests_total"] == 0
    log = tmp_path / "worker.log"
    worker = docbot_app.start_worker(log)
    try:
        wait_until(lambda: docbot_app.deliveries().get("done") == 1, "the worker to finish the job")
    finally:
        stop_worker(worker, log)
    shown = metrics(docbot_app)
    assert all(fault.retried_at is not None for fault in (server_error, *limited))
    sent = github.count(kind="api")  # the installation token's exchange and git's requests are no API requests
    assert sent > 3 and shown["docbot_github_requests_total"] == sent  # the refused requests included
    assert shown["docbot_github_rate_limit_waits_total"] == 2
    assert 2.0 <= shown["docbot_github_rate_limit_wait_seconds_total"] <= sum(fault.waited for fault in limited)
