"""The docbot App for end-to-end tests: the real webhook server on 127.0.0.1, the real SQLite queue,
and jobs run by the test (in-process, one task at a time) or by real `docbot worker` processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import requests
from werkzeug.serving import make_server

from bot.app.queue import DeliveryQueue
from bot.app.settings import Settings
from bot.app.webhook import create_app
from bot.pr import runner as jobs

REPO_ROOT = Path(__file__).resolve().parents[2]

# A worker process that stops for good at one named stage of a job, so a test can kill it there.
STOPPING_WORKER = """
import sys, threading
from bot.pr import runner as jobs
from bot.app.queue import run_worker
from bot.app.settings import Settings

stop_at, marks = sys.argv[1], sys.argv[2]

def on_stage(name):
    if name == stop_at:
        with open(marks, "a") as out:
            out.write(name + "\\n")
        threading.Event().wait()  # until the test kills this process

run_worker(Settings.from_env(), runner=lambda job, settings: jobs.run(job, settings, on_stage=on_stage))
"""


def wait_until(condition: Callable[[], object], what: str, timeout: float = 30.0) -> None:
    """Poll a real condition until it holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.02)


class RunningApp:
    """`docbot serve` in a thread against a GitHub double; `run_jobs` plays the worker."""

    def __init__(self, github, data_dir: Path, *, bot_login: str | None = "from the double"):
        self.github = github
        self.settings = Settings(
            app_id=str(github.app_id), private_key=github.private_key_pem, webhook_secret=github.webhook_secret,
            api_url=github.api_url, data_dir=data_dir,
            bot_login=github.bot_login if bot_login == "from the double" else bot_login,
            seconds_between_requests=0, seconds_between_writes=0,
        )
        self.queue = DeliveryQueue(self.settings, runner=jobs.run)  # the test plays the worker
        self._server = make_server("127.0.0.1", 0, create_app(self.settings), threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}/webhook"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.01,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self.queue.huey.storage.close()

    def deliver(self, event: str, action: str, obj=None, **kw) -> requests.Response:
        return self.github.deliver(self.url, event, action, obj, **kw)

    def deliver_events(self) -> list[requests.Response]:
        """Send every webhook the double has queued (opened, synchronize, ...), signed."""
        answers = self.github.deliver_events(self.url)
        assert all(a.status_code == 202 for a in answers), [a.text for a in answers]
        return answers

    def run_jobs(self, on_stage: Callable[[str], None] | None = None) -> list[str]:
        """Execute the queued tasks in this thread, the way a worker does, until none is left."""
        queue = self.queue
        if on_stage is not None:
            queue = DeliveryQueue(self.settings, runner=lambda job, s: jobs.run(job, s, on_stage=on_stage))
        outcomes = []
        while (task := queue.huey.dequeue()) is not None:
            outcomes.append(queue.huey.execute(task))
        return outcomes

    def deliveries(self) -> dict[str, int]:
        return self.queue.log.counts()

    def worker_env(self) -> dict[str, str]:
        settings = self.settings
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "DOCBOT_"))}
        return env | {
            "GITHUB_APP_ID": settings.app_id, "GITHUB_PRIVATE_KEY": settings.private_key,
            "GITHUB_API_URL": settings.api_url, "DOCBOT_DATA_DIR": str(settings.data_dir),
            "DOCBOT_BOT_LOGIN": settings.bot_login, "DOCBOT_SECONDS_BETWEEN_REQUESTS": "0",
            "DOCBOT_SECONDS_BETWEEN_WRITES": "0",
        }

    def start_worker(self, log: Path, stop_at: str | None = None, marks: Path | None = None) -> subprocess.Popen:
        """A real worker process: `docbot worker`, or one that stops for good at stage `stop_at`."""
        if stop_at is None:
            command = [sys.executable, "-m", "bot.cli", "worker"]
        else:
            command = [sys.executable, "-c", STOPPING_WORKER, stop_at, str(marks)]
        with open(log, "wb") as out:
            return subprocess.Popen(command, cwd=REPO_ROOT, env=self.worker_env(), stdout=out,
                                    stderr=subprocess.STDOUT)


def stop_worker(proc: subprocess.Popen, log: Path) -> None:
    """SIGINT, as a supervisor stops a worker; it must exit cleanly."""
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 0, log.read_text()
