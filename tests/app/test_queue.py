"""The queue with real storage: SQLite files, a real redis-server, and a worker killed mid-job."""

import errno
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apphost import wait_until
from huey import RedisHuey, SqliteHuey
from redishost import redis_server_binary, start_redis

from bot.app.events import Job
from bot.app.queue import RETRIES, DeliveryQueue, make_huey
from bot.app.settings import Settings
from bot.errors import ConfigError

FIXTURES = Path(__file__).parents[1] / "fixtures" / "webhooks"
REPO_ROOT = Path(__file__).resolve().parents[2]
OPENED = (FIXTURES / "pull_request/opened.payload.json").read_bytes()


@pytest.fixture
def redis_url(tmp_path):
    """redis://127.0.0.1:PORT/0 of a redis-server this test starts and stops itself."""
    server = redis_server_binary()
    proc, port = start_redis(server, tmp_path)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture
def queue_factory(tmp_path):
    """Build DeliveryQueues on tmp_path and close their storage afterwards."""
    made = []

    def build(queue_url: str = "", runner=None) -> DeliveryQueue:
        settings = Settings(data_dir=tmp_path / "data", queue_url=queue_url)
        made.append(DeliveryQueue(settings, runner=runner))
        return made[-1]

    yield build
    for queue in made:
        if isinstance(queue.huey, RedisHuey):
            queue.huey.storage.pool.disconnect()
        else:
            queue.huey.storage.close()


def later() -> datetime:
    """A timestamp past every retry delay, in Huey's naive-UTC convention."""
    return datetime.now(UTC).replace(tzinfo=None) + timedelta(minutes=10)


def run_next(queue: DeliveryQueue, timestamp: datetime | None = None):
    """Dequeue one task and execute it the way a consumer's worker does."""
    task = queue.huey.dequeue()
    assert task is not None, "the queue is empty"
    return queue.huey.execute(task, timestamp)


def test_make_huey_picks_the_storage_from_the_url(tmp_path):
    sqlite = make_huey(Settings(data_dir=tmp_path / "d"))
    assert isinstance(sqlite, SqliteHuey)
    assert sqlite.storage.filename == str(tmp_path / "d" / "queue.sqlite3")
    redis = make_huey(Settings(queue_url="redis://127.0.0.1:1/0"))
    assert isinstance(redis, RedisHuey)
    redis.storage.pool.disconnect()


def test_an_unknown_queue_url_is_a_config_error_without_its_credentials():
    with pytest.raises(ConfigError, match="DOCBOT_QUEUE_URL") as caught:
        make_huey(Settings(queue_url="postgres://user:hunter2@db/queue"))
    assert "hunter2" not in str(caught.value)


def test_queue_url_defaults_under_the_data_dir_and_follows_the_environment(tmp_path):
    env = {"DOCBOT_DATA_DIR": str(tmp_path)}
    assert Settings.from_env(env).queue_url == f"sqlite:///{tmp_path}/queue.sqlite3"
    env["DOCBOT_QUEUE_URL"] = "redis://:pw@127.0.0.1:6379/2"
    settings = Settings.from_env(env)
    assert settings.queue_url == "redis://:pw@127.0.0.1:6379/2"
    assert "pw@" not in repr(settings)


def ran(job, settings) -> str:
    return "ran"


def test_sqlite_queue_runs_a_recorded_delivery_to_done(queue_factory):
    queue = queue_factory(runner=ran)
    assert queue.log.record("d-1", "pull_request", "opened", OPENED)
    queue.enqueue("d-1")
    assert queue.depth() == 1
    assert run_next(queue) == "ran"
    delivery = queue.log.get("d-1")
    assert (delivery.status, delivery.attempts, delivery.error) == ("done", 1, None)
    assert queue.depth() == 0


def test_the_runner_gets_the_routed_job_and_the_settings(queue_factory):
    seen = []
    queue = queue_factory(runner=lambda job, settings: seen.append((job, settings)) or "ok")
    queue.log.record("d-2", "pull_request", "opened", OPENED)
    queue.enqueue("d-2")
    run_next(queue)
    [(job, settings)] = seen
    assert isinstance(job, Job)
    assert (job.kind, job.delivery_id, job.pr_number) == ("pr_sync", "d-2", 2)
    assert settings is queue.settings


def test_a_failing_job_is_retried_then_marked_failed(queue_factory):
    def broken(job, settings):
        raise RuntimeError("boom")

    queue = queue_factory(runner=broken)
    queue.log.record("d-3", "pull_request", "opened", OPENED)
    queue.enqueue("d-3")
    run_next(queue)
    delivery = queue.log.get("d-3")
    assert (delivery.status, delivery.attempts) == ("queued", 1)
    assert delivery.error == "attempt 1: RuntimeError: boom"
    for attempt in range(2, RETRIES + 2):
        run_next(queue, later())  # the retry, due RETRY_DELAY seconds later
        assert queue.log.get("d-3").attempts == attempt
    delivery = queue.log.get("d-3")
    assert (delivery.status, delivery.attempts) == ("failed", RETRIES + 1)
    assert delivery.error == f"attempt {RETRIES + 1}: RuntimeError: boom"
    assert (queue.huey.scheduled_count(), queue.depth()) == (0, 0)


def test_duplicate_tasks_of_a_done_delivery_do_not_run_the_job_again(queue_factory):
    calls = []
    queue = queue_factory(runner=lambda job, settings: calls.append(job) or "ok")
    queue.log.record("d-4", "pull_request", "opened", OPENED)
    queue.enqueue("d-4")
    queue.enqueue("d-4")
    assert (run_next(queue), run_next(queue)) == ("ok", "already done")
    assert len(calls) == 1
    assert queue.log.get("d-4").attempts == 1


def test_deliveries_that_route_to_nothing_are_marked_ignored(queue_factory):
    queue = queue_factory()
    queue.log.record("d-5", "pull_request", "edited", OPENED.replace(b'"opened"', b'"edited"', 1))
    queue.enqueue("d-5")
    queue.enqueue("no-such-delivery")
    assert run_next(queue) == "ignored: action 'edited' of event 'pull_request' is not handled"
    assert queue.log.get("d-5").status == "ignored"
    assert run_next(queue) == "unknown delivery"


def test_requeue_pending_enqueues_queued_and_running_deliveries_oldest_first(queue_factory):
    queue = queue_factory()
    for delivery_id in ("d-a", "d-b", "d-c", "d-d"):
        queue.log.record(delivery_id, "pull_request", "opened", OPENED)
    queue.log.start_attempt("d-a")
    queue.log.mark("d-b", "done")
    queue.log.mark("d-d", "failed", "gave up")
    assert queue.requeue_pending() == ["d-a", "d-c"]
    assert [task.args for task in queue.huey.pending()] == [("d-a",), ("d-c",)]


def test_redis_queue_runs_a_recorded_delivery_to_done(queue_factory, redis_url):
    queue = queue_factory(redis_url, runner=ran)
    assert isinstance(queue.huey, RedisHuey)
    queue.log.record("d-r", "pull_request", "opened", OPENED)
    queue.enqueue("d-r")
    assert queue.depth() == 1
    assert run_next(queue) == "ran"
    assert queue.log.get("d-r").status == "done"
    assert queue.depth() == 0


WORKER = """
import os, sys
from bot.app.queue import run_worker
from bot.app.settings import Settings

marks, fifo = sys.argv[1], sys.argv[2]

def blocking_runner(job, settings):
    with open(marks, "a") as out:
        out.write(f"start {job.delivery_id} {os.getppid()}\\n")  # jobs run in a child of the worker
    with open(fifo) as gate:  # blocks until the test opens the fifo for writing
        word = gate.read().strip()
    with open(marks, "a") as out:
        out.write(f"finish {job.delivery_id} {word}\\n")
    return "released"

run_worker(Settings.from_env(), workers=1, runner=blocking_runner)
"""


def start_worker(tmp_path: Path, queue_url: str, name: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "DOCBOT_"))}
    env |= {"DOCBOT_DATA_DIR": str(tmp_path / "data"), "DOCBOT_QUEUE_URL": queue_url}
    with open(tmp_path / f"{name}.log", "wb") as log:
        return subprocess.Popen(
            [sys.executable, "-c", WORKER, str(tmp_path / "marks"), str(tmp_path / "gate")],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def marks(tmp_path: Path) -> list[str]:
    path = tmp_path / "marks"
    return path.read_text().splitlines() if path.exists() else []


def open_gate(tmp_path: Path) -> int:
    """Open the fifo for writing once the blocked job has it open for reading."""
    try:
        return os.open(tmp_path / "gate", os.O_WRONLY | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno != errno.ENXIO:  # ENXIO: no reader yet
            raise
        return -1


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_a_worker_killed_mid_job_loses_nothing(tmp_path, queue_factory, request, backend):
    url = request.getfixturevalue("redis_url") if backend == "redis" else ""
    queue = queue_factory(url)
    os.mkfifo(tmp_path / "gate")
    queue.log.record("d-kill", "pull_request", "opened", OPENED)
    queue.enqueue("d-kill")

    first = start_worker(tmp_path, queue.settings.queue_url, "worker-1")
    wait_until(lambda: len(marks(tmp_path)) == 1, "the first worker to start the job")
    first.send_signal(signal.SIGKILL)
    assert first.wait(timeout=30) == -signal.SIGKILL
    assert queue.log.get("d-kill").status == "running"

    second = start_worker(tmp_path, queue.settings.queue_url, "worker-2")
    try:
        wait_until(lambda: len(marks(tmp_path)) == 2, "the restarted worker to start the job")
        gate = -1

        def gate_opened() -> bool:
            nonlocal gate
            gate = open_gate(tmp_path)
            return gate >= 0

        wait_until(gate_opened, "the job to wait on the fifo")
        os.write(gate, b"go")
        os.close(gate)
        wait_until(lambda: queue.log.get("d-kill").status == "done", "the job to finish")
        wait_until(lambda: queue.depth() == 0, "duplicate tasks to drain")
    finally:
        second.send_signal(signal.SIGINT)
        assert second.wait(timeout=30) == 0, (tmp_path / "worker-2.log").read_text()

    assert marks(tmp_path) == [
        f"start d-kill {first.pid}",
        f"start d-kill {second.pid}",
        "finish d-kill go",
    ]
    delivery = queue.log.get("d-kill")
    assert (delivery.status, delivery.attempts) == ("done", 2)
