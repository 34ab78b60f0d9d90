"""The job queue: Huey on SQLite or Redis, the run_delivery task, and the worker loop.

The delivery log is the source of truth, not the queue. Huey removes a task when a worker
dequeues it, so a worker killed mid-job takes that task with it, and a server killed
between recording and enqueueing leaves a delivery that no task names. So a delivery stays
"queued" or "running" in the log until its job ends, a running one holds a lease its worker
renews, and every worker sweeps the log once in a while: whatever is queued but waits in no
task, or running with its lease run out, is enqueued again. A task starts a job only by
claiming the delivery in the log (queued, or its lease run out), so a duplicate task, a
redelivery or a sweep never runs one delivery twice at once, and a done one never again.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from huey import Huey, RedisHuey, SqliteHuey
from huey.api import Task
from huey.consumer import Consumer
from huey.storage import SqliteStorage

from bot.app.deliveries import REDIS_SCHEMES
from bot.app.events import Ignored, Job, route
from bot.app.jobhost import JobHost, StopRequested
from bot.app.redis_log import open_log
from bot.app.settings import Settings
from bot.errors import ConfigError, WebhookError, is_permanent

logger = logging.getLogger(__name__)

QUEUE_NAME = "docbot"
RETRIES = 3
RETRY_DELAY = 5  # seconds before each retry of a failed job
LEASE = 30.0  # seconds a running delivery stays its worker's without a renewal
RENEW_EVERY = 5.0  # seconds between lease renewals
SWEEP_EVERY = 15.0  # seconds between sweeps for stranded deliveries
STRANDED_AFTER = 20.0  # seconds a queued delivery may wait in no task before a sweep enqueues it
PURGE_EVERY = 3600.0  # seconds between retention purges
WORKER_NICENESS = 10  # the worker yields the cores to the webhook server beside it
SQLITE_PREFIX = "sqlite:///"

Runner = Callable[[Job, Settings], str]
Reporter = Callable[[Job, Settings, Exception], str]  # tells the PR about a job that was killed or died


class QueueStorage(SqliteStorage):
    """Huey's SQLite storage with `synchronous=NORMAL`: no fsync per enqueue.

    In WAL mode a NORMAL commit is written to the WAL before it returns, so a crash of the
    process loses nothing; only an OS crash or power loss can drop the last commits (the
    file stays consistent). Those are enqueues of deliveries the delivery log already
    holds, fsynced (it keeps SQLite's FULL), and the workers' sweep enqueues every pending
    delivery again. The 202 keeps its meaning; the webhook pays one fsync per delivery.
    """

    def _create_connection(self):
        conn = super()._create_connection()
        conn.execute("pragma synchronous=normal")
        return conn


def make_huey(settings: Settings) -> Huey:
    """SqliteHuey for sqlite:///PATH (absolute with a 4th slash), RedisHuey for redis://..."""
    url = settings.queue_url
    if url.startswith(SQLITE_PREFIX):
        path = Path(url.removeprefix(SQLITE_PREFIX))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(QUEUE_NAME, filename=str(path), results=False, storage_class=QueueStorage)
    if url.startswith(REDIS_SCHEMES):
        return RedisHuey(QUEUE_NAME, url=url, results=False)
    scheme = url.split(":", 1)[0]
    raise ConfigError(f"DOCBOT_QUEUE_URL must be sqlite:///PATH or redis://..., not {scheme}:")


class DeliveryQueue:
    """The Huey instance with run_delivery registered, and the delivery log it reports to.

    `isolate=True` (the worker) runs each job in a child process with the time limit; `reporter` then
    reports a job killed past it, or whose process died, from a fresh child (see bot/app/jobhost.py).
    """

    def __init__(self, settings: Settings, *, runner: Runner | None = None, reporter: Reporter | None = None,
                 isolate: bool = False) -> None:
        self.settings = settings
        self.log = open_log(settings)
        self.huey = make_huey(settings)
        # The worker's entry point hands the job runner in: the web process only enqueues and
        # never loads the job code (GitPython, PyGithub).
        self._runner, self._reporter = runner, reporter
        self._isolate = isolate
        self.owner = f"{socket.gethostname()}:{os.getpid()}"
        self._in_hand: dict[str, str] = {}  # delivery id -> owner, for lease renewals
        self._hosts: list[JobHost] = []
        self._local = threading.local()
        self._guard = threading.Lock()
        self._stopping = threading.Event()
        self._task = self.huey.task(context=True, name="run_delivery")(self.run_delivery)

    def enqueue(self, delivery_id: str) -> None:
        """Hand a recorded delivery to the workers."""
        self._task(delivery_id)

    def depth(self) -> int:
        """Tasks waiting in the queue (retries waiting for their delay not included)."""
        return self.huey.pending_count()

    def waiting(self) -> set[str]:
        """Ids of deliveries that a task in the queue or in the schedule (a retry) will run."""
        tasks = self.huey.pending() + self.huey.scheduled()
        return {task.args[0] for task in tasks if task.args}

    def requeue_pending(self) -> list[str]:
        """Enqueue again every delivery the log still has as queued or running."""
        pending = self.log.pending()
        for delivery_id in pending:
            self.enqueue(delivery_id)
        return pending

    def sweep(self) -> list[str]:
        """Enqueue deliveries queued in no task (recorded, never enqueued) or running on a lapsed lease."""
        waiting = self.waiting()
        stranded = [d for d in self.log.stranded(STRANDED_AFTER) if d not in waiting]
        for delivery_id in stranded:
            self.enqueue(delivery_id)
        if stranded:
            logger.warning("sweep: %d stranded deliveries enqueued again: %s", len(stranded), ", ".join(stranded))
        return stranded

    def renew_leases(self) -> None:
        with self._guard:
            held = list(self._in_hand)
        if held:
            self.log.renew(held, self.owner, LEASE)

    def run_delivery(self, delivery_id: str, task: Task | None = None) -> str:
        """The Huey task: claim the recorded delivery, run its job, record the outcome."""
        if self._stopping.is_set():  # a task another thread dequeued after SIGTERM: back to the queue
            self.enqueue(delivery_id)
            return "worker stopping"
        job = self._job_for(delivery_id)
        if isinstance(job, str):
            return job
        delivery = self.log.get(delivery_id)
        take_over = self._owner_gone(delivery.owner, delivery_id)
        attempt = self.log.claim(delivery_id, self.owner, LEASE, take_over=take_over)
        if attempt is None:
            return "held by another worker or ended"
        if self._runner is None:
            raise RuntimeError("this queue was made without a job runner; only a worker runs jobs")
        with self._guard:
            self._in_hand[delivery_id] = self.owner
        try:
            outcome = self._run(replace(job, last_attempt=attempt > RETRIES))
        except StopRequested:
            self.log.release(delivery_id, self.owner)
            self.enqueue(delivery_id)
            logger.info("delivery %s: worker stopping, handed back to the queue", delivery_id)
            return "handed back"
        except Exception as exc:  # noqa: BLE001 - every job failure is recorded, never raised into Huey
            return self._failed(job, attempt, exc)
        finally:
            with self._guard:
                self._in_hand.pop(delivery_id, None)
        self.log.mark(delivery_id, "done")
        logger.info("delivery %s: done after %d attempt(s): %s", delivery_id, attempt, outcome)
        return outcome

    def _run(self, job: Job) -> str:
        if not self._isolate:
            return self._runner(job, self.settings)
        host = getattr(self._local, "host", None)
        if host is None:
            host = self._local.host = JobHost(self._runner, self.settings, reporter=self._reporter)
            with self._guard:
                self._hosts.append(host)
                if self._stopping.is_set():
                    host.stopping.set()
        return host.run(job, self.settings.job_timeout)

    def _failed(self, job: Job, attempt: int, exc: Exception) -> str:
        """One line per failed attempt (type and message); a retry, or the final failure with one traceback."""
        error = f"attempt {attempt}: {type(exc).__name__}: {exc}"
        delivery_id = job.delivery_id
        if attempt <= RETRIES and not is_permanent(exc):
            self.log.mark(delivery_id, "queued", error)
            self._task.schedule(args=(delivery_id,), delay=RETRY_DELAY)
            logger.warning("delivery %s: %s (retry in %d s)", delivery_id, error, RETRY_DELAY)
            return "retrying"
        self.log.mark(delivery_id, "failed", error)
        trace = getattr(exc, "remote_traceback", "") or "".join(traceback.format_exception(exc))
        reason = "not retried: a retry cannot mend it" if is_permanent(exc) else "giving up"
        logger.error("delivery %s: %s (%s)\n%s", delivery_id, error, reason, trace.rstrip())
        return "failed"

    def _owner_gone(self, owner: str | None, delivery_id: str) -> bool:
        """True when a running delivery's owner was a process of this machine that no longer runs it."""
        host, _, pid = (owner or "").rpartition(":")
        if host != socket.gethostname() or not pid.isdigit():
            return False
        if int(pid) == os.getpid():  # this process, or an earlier one with the same pid (a container's 1)
            with self._guard:
                return delivery_id not in self._in_hand
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False

    def _job_for(self, delivery_id: str) -> Job | str:
        """The job of a delivery still to run, or a one-line reason why there is none."""
        delivery = self.log.get(delivery_id)
        if delivery is None:
            logger.error("delivery %s: not in the delivery log, nothing to run", delivery_id)
            return "unknown delivery"
        if delivery.status in ("done", "ignored", "failed"):
            return f"already {delivery.status}"
        try:
            routed = route(delivery.event, json.loads(delivery.payload), delivery_id=delivery_id)
        except (ValueError, RecursionError, WebhookError) as exc:
            self.log.mark(delivery_id, "failed", f"unreadable payload: {exc}")
            return "unreadable payload"
        if isinstance(routed, Ignored):
            self.log.mark(delivery_id, "ignored", routed.reason)
            return f"ignored: {routed.reason}"
        return routed

    def stop_jobs(self) -> None:
        """Ask every job in hand to unwind; their threads hand the deliveries back to the queue."""
        with self._guard:
            self._stopping.set()
            hosts = list(self._hosts)
        for host in hosts:
            host.request_stop()

    def close_hosts(self) -> None:
        with self._guard:
            hosts, self._hosts = list(self._hosts), []
        for host in hosts:
            host.close(kill=True)


class WorkerConsumer(Consumer):
    """Huey's consumer with SIGTERM as a graceful stop that first stops the jobs in hand."""

    def __init__(self, huey: Huey, queue: DeliveryQueue, **options) -> None:
        super().__init__(huey, graceful_signal="TERM", **options)
        self.delivery_queue = queue
        self._signal_actions[signal.SIGINT] = (False, True)  # Ctrl-C: the same graceful stop

    def _handle_signal(self, signum, frame):
        self.delivery_queue.stop_jobs()
        super()._handle_signal(signum, frame)


def housekeeping(queue: DeliveryQueue, stop: threading.Event) -> None:
    """Renew leases, sweep for stranded deliveries, purge old payloads; until `stop` is set."""
    next_sweep = next_purge = 0.0
    while not stop.wait(RENEW_EVERY):
        try:
            queue.renew_leases()
            now = time.monotonic()
            if now >= next_sweep:
                next_sweep = now + SWEEP_EVERY
                queue.sweep()
            if now >= next_purge:
                next_purge = now + PURGE_EVERY
                queue.log.purge(queue.settings.retention_days)
        except Exception as exc:  # noqa: BLE001 - a lost Redis or a locked file: try again next round
            logger.warning("housekeeping: %s: %s", type(exc).__name__, exc)


def run_worker(settings: Settings, workers: int = 1, *, runner: Runner | None = None,
               reporter: Reporter | None = None) -> None:
    """Re-enqueue what the log still has pending, then consume until SIGINT/SIGTERM (a stop within 10 s)."""
    try:
        os.nice(WORKER_NICENESS)
    except OSError:
        logger.warning("worker: could not lower its CPU priority")
    queue = DeliveryQueue(settings, runner=runner, reporter=reporter, isolate=True)
    requeued = queue.requeue_pending()
    logger.info("worker starting: %d pending deliveries re-enqueued", len(requeued))
    stop = threading.Event()
    keeper = threading.Thread(target=housekeeping, args=(queue, stop), name="docbot-housekeeping", daemon=True)
    keeper.start()
    consumer = WorkerConsumer(queue.huey, queue, workers=workers, worker_type="thread", periodic=False,
                              max_delay=1.0, shutdown_timeout=8.0)
    try:
        consumer.run()
    finally:
        stop.set()
        queue.close_hosts()
