"""The job queue: Huey on SQLite or Redis, the run_delivery task, and the worker loop.

Why the worker re-enqueues on start: Huey's SQLite and Redis storages remove a task
when a worker dequeues it, so a worker killed mid-job (SIGKILL, OOM, a lost machine)
takes that task with it. The delivery log is the source of truth instead: a delivery
stays "queued" or "running" there until its job ends, and `run_worker` enqueues every
such delivery again before consuming. That can duplicate a task (one still in the queue,
or one a live worker elsewhere is running); jobs are idempotent and a delivery already
"done" is skipped, so a duplicate costs a little work and never a second effect.
"""

import json
import logging
from collections.abc import Callable
from pathlib import Path

from huey import Huey, RedisHuey, SqliteHuey
from huey.api import Task
from huey.storage import SqliteStorage

from bot.app.deliveries import DeliveryLog
from bot.app.events import Ignored, Job, route
from bot.app.settings import Settings
from bot.errors import ConfigError, WebhookError

logger = logging.getLogger(__name__)

QUEUE_NAME = "docbot"
RETRIES = 3
RETRY_DELAY = 5  # seconds before each retry of a failed job
SQLITE_PREFIX = "sqlite:///"
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")

Runner = Callable[[Job, Settings], str]


class QueueStorage(SqliteStorage):
    """Huey's SQLite storage with `synchronous=NORMAL`: no fsync per enqueue.

    In WAL mode a NORMAL commit is written to the WAL before it returns, so a crash of the
    process loses nothing; only an OS crash or power loss can drop the last commits (the
    file stays consistent). Those are enqueues of deliveries the delivery log already
    holds, fsynced (it keeps SQLite's FULL), and a machine that lost power restarts its
    worker, which enqueues every pending delivery again. The 202 keeps its meaning; the
    webhook pays one fsync per delivery instead of two.
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
    """The Huey instance with run_delivery registered, and the delivery log it reports to."""

    def __init__(self, settings: Settings, *, runner: Runner | None = None) -> None:
        self.settings = settings
        self.log = DeliveryLog(settings.delivery_log_path)
        self.huey = make_huey(settings)
        # The worker's entry point hands the job runner in: the web process only enqueues and
        # never loads the job code (GitPython, PyGithub).
        self._runner = runner
        self._task = self.huey.task(
            retries=RETRIES, retry_delay=RETRY_DELAY, context=True, name="run_delivery"
        )(self.run_delivery)

    def enqueue(self, delivery_id: str) -> None:
        """Hand a recorded delivery to the workers."""
        self._task(delivery_id)

    def depth(self) -> int:
        """Tasks waiting in the queue (retries waiting for their delay not included)."""
        return self.huey.pending_count()

    def requeue_pending(self) -> list[str]:
        """Enqueue again every delivery the log still has as queued or running."""
        pending = self.log.pending()
        for delivery_id in pending:
            self.enqueue(delivery_id)
        return pending

    def run_delivery(self, delivery_id: str, task: Task | None = None) -> str:
        """The Huey task: route the recorded delivery, run its job, record the outcome."""
        job = self._job_for(delivery_id)
        if isinstance(job, str):
            return job
        attempt = self.log.start_attempt(delivery_id)
        runner = self._runner
        if runner is None:
            raise RuntimeError("this queue was made without a job runner; only a worker runs jobs")
        try:
            outcome = runner(job, self.settings)
        except Exception as exc:
            retrying = task is not None and task.retries > 0
            error = f"attempt {attempt}: {type(exc).__name__}: {exc}"
            self.log.mark(delivery_id, "queued" if retrying else "failed", error)
            logger.warning(
                "delivery %s: %s (%s)",
                delivery_id,
                error,
                "will retry" if retrying else "giving up",
            )
            raise
        self.log.mark(delivery_id, "done")
        logger.info("delivery %s: done after %d attempt(s): %s", delivery_id, attempt, outcome)
        return outcome

    def _job_for(self, delivery_id: str) -> Job | str:
        """The job of a delivery still to run, or a one-line reason why there is none."""
        delivery = self.log.get(delivery_id)
        if delivery is None:
            logger.error("delivery %s: not in the delivery log, nothing to run", delivery_id)
            return "unknown delivery"
        if delivery.status in ("done", "ignored"):
            return f"already {delivery.status}"
        try:
            routed = route(
                delivery.event,
                json.loads(delivery.payload),
                delivery_id=delivery_id,
                own_bot_login=self.settings.bot_login,
            )
        except (ValueError, WebhookError) as exc:
            self.log.mark(delivery_id, "failed", f"unreadable payload: {exc}")
            return "unreadable payload"
        if isinstance(routed, Ignored):
            self.log.mark(delivery_id, "ignored", routed.reason)
            return f"ignored: {routed.reason}"
        return routed


def run_worker(settings: Settings, workers: int = 1, *, runner: Runner | None = None) -> None:
    """Re-enqueue what the log still has pending, then consume until SIGINT/SIGTERM."""
    queue = DeliveryQueue(settings, runner=runner)
    requeued = queue.requeue_pending()
    logger.info("worker starting: %d pending deliveries re-enqueued", len(requeued))
    consumer = queue.huey.create_consumer(
        workers=workers, worker_type="thread", periodic=False, max_delay=1.0
    )
    consumer.run()
