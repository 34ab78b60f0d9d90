"""docbot at scale for tests and bench/scale.py: one `docbot serve`, N `docbot worker` processes, one
redis-server and the GitHub double, each docbot process with a data dir of its own (Redis is all they share)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import requests
from apphost import STOPPING_WORKER, wait_until

from bot.app.redis_log import RedisDeliveryLog

REPO_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ScaledApp:
    """The processes of one App on Redis; `stop()` ends every one it started."""

    def __init__(self, github, redis_url: str, root: Path):
        self.github, self.redis_url, self.root = github, redis_url, root
        self.procs: list[subprocess.Popen] = []
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.server = self._spawn("server", [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)])
        wait_until(self._answers, "docbot serve to answer /healthz", timeout=60)
        self.log = RedisDeliveryLog(redis_url, "redis")

    def env(self, name: str) -> dict[str, str]:
        github = self.github
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "DOCBOT_"))}
        return env | {
            "GITHUB_APP_ID": str(github.app_id), "GITHUB_PRIVATE_KEY": github.private_key_pem,
            "GITHUB_API_URL": github.api_url, "GITHUB_WEBHOOK_SECRET": github.webhook_secret,
            "DOCBOT_BOT_LOGIN": github.bot_login, "DOCBOT_SECONDS_BETWEEN_REQUESTS": "0",
            "DOCBOT_SECONDS_BETWEEN_WRITES": "0", "DOCBOT_QUEUE_URL": self.redis_url,
            "DOCBOT_DATA_DIR": str(self.root / name), "DOCBOT_LOG_LEVEL": "INFO",
        }

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        with open(self.root / f"{name}.log", "wb") as out:
            proc = subprocess.Popen(command, cwd=REPO_ROOT, env=self.env(name), stdout=out, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    def _answers(self) -> bool:
        assert self.server.poll() is None, (self.root / "server.log").read_text()
        try:
            return requests.get(f"{self.url}/healthz", timeout=2).status_code == 200
        except requests.ConnectionError:
            return False

    def worker(self, name: str, threads: int = 1) -> subprocess.Popen:
        return self._spawn(name, [sys.executable, "-m", "bot.cli", "worker", "--workers", str(threads)])

    def stopping_worker(self, name: str, stop_at: str, marks: Path) -> subprocess.Popen:
        """A worker that stops for good at stage `stop_at` of its first job, so a test can kill it there."""
        return self._spawn(name, [sys.executable, "-c", STOPPING_WORKER, stop_at, str(marks)])

    def deliver_events(self) -> None:
        answers = self.github.deliver_events(f"{self.url}/webhook")
        assert all(a.status_code == 202 for a in answers), [a.text for a in answers]

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.log.close()
