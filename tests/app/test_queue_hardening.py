"""The queue's guarantees: time limits that stop CPU-bound jobs, no retry of what cannot mend, redeliveries
of failures, stranded deliveries swept, a SIGTERM that loses nothing, one log line per failed attempt."""

import logging
import os
import re
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apphost import wait_until
from test_queue import OPENED, REPO_ROOT, run_next
from test_webhook import SECRET, github_headers

from bot.app.jobhost import JobHost, JobProcessDied
from bot.app.queue import RETRIES, DeliveryQueue
from bot.app.settings import Settings
from bot.app.webhook import create_app
from bot.errors import ConfigError, JobTimedOut, PermanentError


def backtracking(job, settings):
    """Minutes of CPU inside one call of the regex engine (a catastrophic glob does this)."""
    re.match(r"(a*)*b", "a" * 64)
    return "never"


def deaf_to_alarms(job, settings):
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    while True:
        pass


def config_error(job, settings):
    raise ConfigError(".github/docbot.yml: exclude must be a list")


def leaves_its_pid(then):
    """A runner that writes its process id to `job.pid` in the data dir, then does what `then` does."""
    def runner(job, settings):
        (settings.data_dir / "job.pid").write_text(str(os.getpid()))
        return then(job, settings)
    return runner


def recording_reporter(job, settings, exc):
    """A reporter that leaves its process id, the job and the error it was handed in the data dir."""
    (settings.data_dir / "reported").write_text(f"{os.getpid()}\n{job}\n{type(exc).__name__}: {exc}\n")
    return "reported"


def reported(settings) -> list[str] | None:
    """What recording_reporter wrote (pid, job, error), or None when it never ran."""
    path = settings.data_dir / "reported"
    return path.read_text().splitlines() if path.exists() else None


@pytest.fixture
def make_queue(tmp_path):
    made = []

    def build(runner, reporter=None, **settings) -> DeliveryQueue:
        queue = DeliveryQueue(Settings(data_dir=tmp_path / "data", **settings), runner=runner, reporter=reporter,
                              isolate=True)
        made.append(queue)
        return queue

    yield build
    for queue in made:
        queue.close_hosts()
        queue.huey.storage.close()


def test_a_cpu_bound_job_past_its_time_limit_is_stopped_and_not_retried(make_queue, caplog):
    queue = make_queue(backtracking, recording_reporter, job_timeout=1)
    queue.log.record("d-slow", "pull_request", "opened", OPENED)
    queue.enqueue("d-slow")
    assert run_next(queue) == "failed"
    delivery = queue.log.get("d-slow")
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert delivery.error == "attempt 1: JobTimedOut: the job ran past its time limit of 1 s and was stopped"
    assert queue.depth() == 0 and queue.huey.scheduled_count() == 0
    assert "not retried" in caplog.text
    assert reported(queue.settings) is None  # the job was alive to report its own failure


def test_a_job_deaf_to_the_alarm_is_killed_after_the_grace_and_reported_from_a_fresh_process(tmp_path):
    settings = Settings(data_dir=tmp_path)
    host = JobHost(leaves_its_pid(deaf_to_alarms), settings, reporter=recording_reporter, grace=0.5)
    try:
        with pytest.raises(JobTimedOut, match="was killed"):
            host.run("job-1", 0.5)
    finally:
        host.close(kill=True)
    pid, job, error = reported(settings)
    assert pid not in ((tmp_path / "job.pid").read_text(), str(os.getpid()))
    assert (job, error) == ("job-1", "JobTimedOut: the job ran past its time limit of 0.5 s and was killed")


def _zombie(pid: str) -> bool:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ")[1].startswith("Z")


def dies_on_its_first_job(job, settings):
    if not (settings.data_dir / "died").exists():
        (settings.data_dir / "died").touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return f"{os.getpid()} ran {job}"


def test_a_job_process_killed_mid_job_is_a_retriable_failure_reported_from_a_fresh_process(make_queue, caplog):
    queue = make_queue(leaves_its_pid(dies_on_its_first_job), recording_reporter)
    queue.log.record("d-died", "pull_request", "opened", OPENED)
    queue.enqueue("d-died")
    caplog.set_level(logging.INFO, logger="bot.app.jobhost")
    assert run_next(queue) == "retrying"
    died = "JobProcessDied: the job's process ended without an answer (exit -9)"
    assert queue.log.get("d-died").error == f"attempt 1: {died}"
    pid, job, error = reported(queue.settings)
    dead = (queue.settings.data_dir / "job.pid").read_text()
    assert pid not in (dead, str(os.getpid()))
    assert "delivery_id='d-died'" in job and error == died
    assert "delivery d-died: stopped job reported: reported" in caplog.text
    later = datetime.now(UTC).replace(tzinfo=None) + timedelta(minutes=1)
    ran_in, _ = run_next(queue, later).split(" ran ")  # the retry: the job runner again, in a child of its own
    assert ran_in not in (dead, pid, str(os.getpid())) and queue.log.get("d-died").status == "done"


def test_a_reporter_that_fails_costs_one_log_line_and_the_jobs_own_error_stands(tmp_path, caplog):
    def unreachable_github(job, settings, exc):
        raise ConnectionError("GitHub is unreachable")

    host = JobHost(dies_on_its_first_job, Settings(data_dir=tmp_path), reporter=unreachable_github)
    try:
        with pytest.raises(JobProcessDied):
            host.run("job-2", 10)
        assert host.run("job-3", 10).endswith("ran job-3")
    finally:
        host.close(kill=True)
    assert [r.getMessage() for r in caplog.records] == [
        "delivery job-2: could not report the stopped job: ConnectionError: GitHub is unreachable"]


def test_the_job_process_survives_between_jobs_and_a_dead_one_is_replaced(tmp_path):
    host = JobHost(lambda job, settings: f"{os.getpid()} {job}", Settings(data_dir=tmp_path))
    try:
        first = host.run("a", 10).split()
        second = host.run("b", 10).split()
        assert first[0] == second[0] != str(os.getpid())
        os.kill(int(first[0]), signal.SIGKILL)
        wait_until(lambda: not os.path.exists(f"/proc/{first[0]}/cmdline") or _zombie(first[0]), "the child to die")
        assert host.run("d", 10).split()[0] not in (first[0], str(os.getpid()))
    finally:
        host.close(kill=True)


@pytest.mark.parametrize("runner", [config_error, lambda job, settings: (_ for _ in ()).throw(PermanentError("no"))])
def test_a_permanent_failure_is_not_retried(make_queue, runner):
    queue = make_queue(runner)
    queue.log.record("d-perm", "pull_request", "opened", OPENED)
    queue.enqueue("d-perm")
    assert run_next(queue) == "failed"
    assert (queue.log.get("d-perm").status, queue.depth()) == ("failed", 0)


def test_one_line_per_failed_attempt_and_one_traceback_at_the_end(make_queue, caplog):
    def broken(job, settings):
        raise RuntimeError(f"boom in {job.repo}")

    queue = make_queue(broken)
    queue.log.record("d-log", "pull_request", "opened", OPENED)
    queue.enqueue("d-log")
    caplog.set_level(logging.INFO, logger="bot.app.queue")
    later = datetime.now(UTC).replace(tzinfo=None) + timedelta(minutes=10)
    for _ in range(RETRIES + 1):
        run_next(queue, later)
    lines = [r for r in caplog.records if r.name == "bot.app.queue" and "d-log" in r.getMessage()]
    assert [r.levelname for r in lines] == ["WARNING"] * RETRIES + ["ERROR"]
    assert all("RuntimeError: boom in Codertocat/Hello-World" in r.getMessage() for r in lines)
    assert sum("Traceback" in r.getMessage() for r in lines) == 1
    assert OPENED.decode()[:200] not in caplog.text


def post(client, body, delivery):
    return client.post("/webhook", data=body, headers=github_headers("pull_request", body, delivery=delivery))


def test_a_redelivery_of_a_failed_delivery_runs_it_again_and_of_a_done_one_does_not(tmp_path):
    settings = Settings(webhook_secret=SECRET, data_dir=tmp_path / "data")
    outcomes = iter([PermanentError("bad"), "ok"])

    def runner(job, settings):
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    queue = DeliveryQueue(settings, runner=runner)
    client = create_app(settings).test_client()
    try:
        assert post(client, OPENED, "d-again").get_json()["status"] == "queued"
        assert run_next(queue) == "failed"
        assert post(client, OPENED, "d-again").get_json()["status"] == "queued"
        assert queue.log.get("d-again").status == "queued"
        assert run_next(queue) == "ok"
        assert post(client, OPENED, "d-again").get_json()["status"] == "duplicate"
        assert queue.depth() == 0
    finally:
        queue.huey.storage.close()


def age(queue: DeliveryQueue, delivery_id: str, seconds: float) -> None:
    """Make a delivery look received `seconds` ago (what a server killed long ago left behind)."""
    when = (datetime.now(UTC) - timedelta(seconds=seconds)).isoformat(timespec="milliseconds")
    with closing(sqlite3.connect(queue.log.path)) as conn, conn:
        conn.execute("update deliveries set received_at = ? where delivery_id = ?", (when, delivery_id))


def test_the_sweep_enqueues_what_was_recorded_but_never_enqueued_and_its_redelivery_runs_it(tmp_path):
    settings = Settings(webhook_secret=SECRET, data_dir=tmp_path / "data")
    queue = DeliveryQueue(settings, runner=lambda job, s: "ran")
    client = create_app(settings).test_client()
    try:
        queue.log.record("d-lost", "pull_request", "opened", OPENED)  # the server died before enqueueing
        queue.log.record("d-lost-2", "pull_request", "opened", OPENED)
        queue.log.record("d-young", "pull_request", "opened", OPENED)
        age(queue, "d-lost", 60)
        age(queue, "d-lost-2", 60)
        assert queue.sweep() == ["d-lost", "d-lost-2"]
        assert queue.sweep() == []  # waiting in the queue now
        assert run_next(queue) == "ran" and run_next(queue) == "ran"
        assert post(client, OPENED, "d-young").get_json()["status"] == "duplicate"  # may still be on its way
        age(queue, "d-young", 60)
        assert post(client, OPENED, "d-young").get_json()["status"] == "queued"
        assert run_next(queue) == "ran"
        assert [queue.log.get(d).status for d in ("d-lost", "d-lost-2", "d-young")] == ["done"] * 3
    finally:
        queue.huey.storage.close()


def test_retention_drops_old_payloads_then_old_rows(tmp_path):
    queue = DeliveryQueue(Settings(data_dir=tmp_path / "data"))
    try:
        for delivery_id, days in (("d-new", 1), ("d-old", 8), ("d-ancient", 91), ("d-stuck", 91)):
            queue.log.record(delivery_id, "pull_request", "opened", OPENED, status="done")
            age(queue, delivery_id, days * 86400)
        queue.log.mark("d-stuck", "queued")
        assert queue.log.purge(7) == (1, 1)
        assert queue.log.get("d-new").payload == OPENED
        assert queue.log.get("d-old").payload == b"" and queue.log.get("d-old").status == "done"
        assert queue.log.get("d-ancient") is None
        assert queue.log.get("d-stuck").payload == OPENED  # still to run: kept whole
        assert queue.log.size()["rows"] == 3
    finally:
        queue.huey.storage.close()


def script_worker(script: str, argument: Path, settings: Settings, log: Path) -> subprocess.Popen:
    """A real worker process running `script` (run_worker with a test's runner) on the settings' data dir."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "DOCBOT_"))}
    env["DOCBOT_DATA_DIR"] = str(settings.data_dir)
    with open(log, "wb") as out:
        return subprocess.Popen([sys.executable, "-c", script, str(argument)], cwd=REPO_ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)


HANGING_WORKER = """
import sys, threading
from bot.app.queue import run_worker
from bot.app.settings import Settings

def hanging(job, settings):
    open(sys.argv[1], "w").close()
    threading.Event().wait()

run_worker(Settings.from_env(), workers=2, runner=hanging)
"""


@pytest.mark.slow
def test_sigterm_stops_a_worker_within_ten_seconds_and_the_job_goes_back_to_the_queue(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    queue = DeliveryQueue(settings)
    started = tmp_path / "started"
    try:
        queue.log.record("d-term", "pull_request", "opened", OPENED)
        queue.enqueue("d-term")
        proc = script_worker(HANGING_WORKER, started, settings, tmp_path / "worker.log")
        wait_until(started.exists, "the job to start")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0, (tmp_path / "worker.log").read_text()
        delivery = queue.log.get("d-term")
        assert (delivery.status, delivery.attempts) == ("queued", 0)
        assert queue.waiting() == {"d-term"}
    finally:
        if proc.poll() is None:
            proc.kill()
        queue.huey.storage.close()


MARKING_WORKER = """
import logging, sys
from bot.app.queue import run_worker
from bot.app.settings import Settings

def marking(job, settings):
    with open(sys.argv[1], "a") as out:
        out.write(job.delivery_id + "\\n")
    return "marked"

logging.basicConfig(level=logging.INFO)
run_worker(Settings.from_env(), workers=1, runner=marking)
"""


@pytest.mark.slow
def test_a_running_worker_finds_a_delivery_recorded_but_never_enqueued_without_a_restart(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    queue = DeliveryQueue(settings)
    ran = tmp_path / "ran"
    proc = script_worker(MARKING_WORKER, ran, settings, tmp_path / "worker.log")
    try:
        wait_until(lambda: "worker starting" in (tmp_path / "worker.log").read_text(), "the worker to start")
        queue.log.record("d-stranded", "pull_request", "opened", OPENED)  # a server killed before enqueueing
        age(queue, "d-stranded", 60)
        wait_until(lambda: ran.exists() and ran.read_text() == "d-stranded\n", "the sweep to run it", timeout=60)
        wait_until(lambda: queue.log.get("d-stranded").status == "done", "the delivery to be done")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0, (tmp_path / "worker.log").read_text()
        queue.huey.storage.close()
