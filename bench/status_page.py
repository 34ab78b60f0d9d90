"""GET /status with 1,000 deliveries in the log: render time of the page (median of five), SQLite and Redis.

Prints its figures (target: under a second); asserts nothing.
Run: .venv/bin/python bench/status_page.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # analyzers/ before tests/analyzers/
sys.path.append(str(Path(__file__).resolve().parent.parent / "tests" / "support"))

from redishost import redis_server_binary, start_redis  # noqa: E402

from bot.app.redis_log import open_log  # noqa: E402
from bot.app.settings import Settings  # noqa: E402
from bot.app.webhook import create_app  # noqa: E402

ROWS = 1000
TOKEN = "bench-token"
FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "webhooks"
PAYLOAD = (FIXTURES / "pull_request" / "opened.payload.json").read_bytes()


def timed_page(settings: Settings) -> tuple[float, int]:
    log = open_log(settings)
    for index in range(ROWS):
        log.record(f"d-{index}", "pull_request", "synchronize", PAYLOAD, repo=f"octo/r{index % 40}",
                   pr_number=index % 300 + 1)
        if index % 3 == 0:
            log.claim(f"d-{index}", "bench:1", 30)
            log.mark(f"d-{index}", "failed" if index % 9 == 0 else "done",
                     "attempt 1: GitHubError: 502 Bad Gateway\nmore" if index % 9 == 0 else None)
    client = create_app(settings).test_client()
    times, size = [], 0
    for _ in range(5):
        began = time.perf_counter()
        response = client.get(f"/status?rows={ROWS}", headers={"Authorization": f"Bearer {TOKEN}"})
        times.append(time.perf_counter() - began)
        size = len(response.data)
        assert response.status_code == 200
    return statistics.median(times), size


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="docbot-status-bench-") as tmp:
        root = Path(tmp)
        base = {"webhook_secret": "s", "admin_token": TOKEN}
        took, size = timed_page(Settings(data_dir=root / "sqlite", **base))
        print(f"SQLite log: /status with {ROWS} deliveries in {took * 1000:.1f} ms (median of 5), {size / 1024:.0f} KB")
        redis, port = start_redis(redis_server_binary(), root)
        try:
            took, size = timed_page(Settings(data_dir=root / "redis", queue_url=f"redis://127.0.0.1:{port}/0", **base))
        finally:
            redis.terminate()
            redis.wait(timeout=30)
        print(f"Redis log:  /status with {ROWS} deliveries in {took * 1000:.1f} ms (median of 5), {size / 1024:.0f} KB")
        print("target: under 1,000 ms")


if __name__ == "__main__":
    main()
