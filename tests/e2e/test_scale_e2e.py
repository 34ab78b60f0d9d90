"""Scale-out on Redis: one server, two workers with data dirs of their own, one killed for good mid-job."""

from __future__ import annotations

import signal
import time

import pytest
from apphost import wait_until
from redishost import redis_server_binary, start_redis
from scalehost import ScaledApp

from bot.engine.summary import MARKER

REPOS = ("alpha", "beta", "gamma")
FILES = {
    "README.md": "# widgets\n",
    "src/widgets/__init__.py": '"""Widgets."""\n',
    "src/widgets/shapes.py": '"""Shapes."""\n\n\ndef area(w, h):\n    """Area."""\n    return w * h\n',
    ".github/docbot.yml": "mode: branch\n",
}
CHANGE = {"src/widgets/shapes.py": '"""Shapes and sizes."""\n\n\ndef area(w, h):\n    """Area."""\n    return w * h\n'
                                   '\n\ndef perimeter(w, h):\n    """Perimeter."""\n    return 2 * (w + h)\n'}
TAKEOVER_LIMIT = 120  # seconds from the kill


@pytest.fixture
def redis_url(tmp_path):
    proc, port = start_redis(redis_server_binary(), tmp_path)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=30)


@pytest.mark.slow
def test_the_surviving_worker_takes_over_the_job_of_a_worker_killed_for_good(github, redis_url, tmp_path):
    for name in REPOS:
        github.create_repo("octo", name, files=FILES)
    github.install("octo")
    app = ScaledApp(github, redis_url, tmp_path)
    try:
        pulls = [github.open_pull_request("octo", name, head="feature", files=CHANGE) for name in REPOS]
        app.deliver_events()
        marks = tmp_path / "marks"
        doomed = app.stopping_worker("worker-doomed", "pushed", marks)
        wait_until(lambda: marks.exists() and marks.read_text() == "pushed\n", "a worker mid-job", timeout=60)
        survivor = app.worker("worker-survivor", threads=2)
        doomed.send_signal(signal.SIGKILL)
        assert doomed.wait(timeout=30) == -signal.SIGKILL
        killed_at = time.monotonic()
        wait_until(lambda: app.log.counts()["done"] == len(REPOS), "the survivor to finish every job",
                   timeout=TAKEOVER_LIMIT)
        took = time.monotonic() - killed_at
        assert survivor.poll() is None
    finally:
        app.stop()
    print(f"takeover: every job done {took:.1f} s after the kill")
    for name, pull in zip(REPOS, pulls, strict=True):
        runs = [r for r in github.check_runs if r["head_sha"] == pull["head"]["sha"] and r["name"] == "docbot"
                and f"/repos/octo/{name}/" in r["url"]]
        assert [r["status"] for r in runs] == ["completed"], name
        summaries = [c for c in github.comments if MARKER in c["body"] and c["issue_url"].endswith(
            f"/octo/{name}/issues/{pull['number']}")]
        assert len(summaries) == 1, name
        companions = [p for p in github.pulls if p["head"]["ref"].startswith("docbot/")
                      and p["base"]["repo"]["full_name"] == f"octo/{name}"]
        assert len(companions) <= 1, name
    assert not (tmp_path / "worker-survivor" / "deliveries.sqlite3").exists()  # nothing but git caches
    assert not (tmp_path / "server" / "deliveries.sqlite3").exists()
