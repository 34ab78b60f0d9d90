"""Each job in a child process: a time limit that stops even CPU-bound work, and a stop that loses nothing.

A worker thread cannot be killed, and a regex that backtracks for minutes holds it (and its
core) for as long. So every worker thread keeps one child process that runs its jobs one
after another (per-process caches such as installation tokens stay warm). In the child,
SIGALRM at DOCBOT_JOB_TIMEOUT raises JobTimedOut inside the job, so the job's own failure
path reports it on the check run; a job still running GRACE seconds later (stuck in code
that never returns to Python) is killed with SIGKILL and the thread gets JobTimedOut all
the same. A job killed so, or whose process died, could not report its failure: a fresh
child then runs the *reporter* the worker was handed (bot/pr's, which completes the check
run the job left in progress), under a time limit of its own. SIGTERM (worker stopping)
makes the child raise StopRequested, which is no Exception: no failure is reported,
finally blocks free the job's locks, and the thread hands the delivery back to the queue.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import pickle
import signal
import threading
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from bot.errors import JobTimedOut

logger = logging.getLogger(__name__)

GRACE = 10.0  # seconds past the time limit before a job that ignored it is killed
STOP_WAIT = 5.0  # seconds a stopping job gets to unwind before SIGKILL
REPORT_LIMIT = 60.0  # seconds the reporter of a killed or dead job gets
PR_SET_PDEATHSIG = 1


class StopRequested(BaseException):  # noqa: N818 - like KeyboardInterrupt: not an error, not caught as one
    """The worker is stopping: the job in hand goes back to the queue."""


class JobProcessDied(RuntimeError):
    """The job's process ended without an answer (killed from outside, out of memory)."""


class JobHost:
    """One child process that runs jobs for one worker thread; restarted after a kill.

    `reporter(job, settings, exc)` tells the user about a job that was killed or died (exc: JobTimedOut or
    JobProcessDied); it runs in a fresh child and returns a one-line outcome for the log.
    """

    def __init__(self, runner: Callable[[Any, Any], str], settings: Any, *,
                 reporter: Callable[[Any, Any, Exception], str] | None = None, grace: float = GRACE) -> None:
        self._runner, self._settings, self._grace = runner, settings, grace
        self._reporter = reporter
        self._proc: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None
        self.stopping = threading.Event()

    def run(self, job: Any, timeout: float) -> str:
        """The runner's outcome; its exception re-raised here; JobTimedOut past the limit; StopRequested."""
        if self.stopping.is_set():
            raise StopRequested()
        try:
            kind, value, text = self._ask(self._runner, job, timeout)
        except (JobTimedOut, JobProcessDied) as lost:
            self._report_lost(job, lost)
            raise
        if kind == "done":
            return value
        value.remote_traceback = text
        raise value

    def _ask(self, runner: Callable[[Any, Any], Any], job: Any, timeout: float) -> tuple[str, Any, str]:
        """Run `job` in the child: its answer ("done" or "failed", value, traceback text); JobTimedOut when it
        was killed past the limit, JobProcessDied when its process ended, StopRequested."""
        conn = self._started(runner)
        conn.send((job, timeout))
        deadline = time.monotonic() + timeout + self._grace
        while not conn.poll(0.2):
            if self.stopping.is_set():
                self._stop_child()
                raise StopRequested()
            if time.monotonic() > deadline:
                self.close(kill=True)
                raise JobTimedOut(f"the job ran past its time limit of {timeout:g} s and was killed")
        try:
            answer = conn.recv()
        except (EOFError, OSError):
            proc = self._proc
            self.close(kill=True)  # joins it: its exit code is known after
            code = proc.exitcode if proc is not None else None
            if self.stopping.is_set():
                raise StopRequested() from None
            raise JobProcessDied(f"the job's process ended without an answer (exit {code})") from None
        if answer[0] == "stopped":
            self.close()
            raise StopRequested()
        return answer

    def _report_lost(self, job: Any, lost: Exception) -> None:
        """The killed (or dead) job could not say so: the reporter does, in a fresh child, then that child ends."""
        if self._reporter is None or self.stopping.is_set():
            return
        reporter = self._reporter
        delivery = getattr(job, "delivery_id", job)
        self.close(kill=True)  # the job's child is gone already; this makes sure the reporter gets a fresh one
        try:
            kind, value, _ = self._ask(lambda same_job, settings: reporter(same_job, settings, lost), job, REPORT_LIMIT)
        except (JobTimedOut, JobProcessDied) as exc:
            kind, value = "failed", exc
        except StopRequested:
            return
        finally:
            self.close(kill=True)  # it has answered; the next job gets a child that runs jobs
        if kind == "done":
            logger.info("delivery %s: stopped job reported: %s", delivery, value)
        else:
            logger.warning("delivery %s: could not report the stopped job: %s: %s", delivery,
                           type(value).__name__, value)

    def request_stop(self) -> None:
        """From the worker's signal handler: ask the child to unwind (it raises StopRequested)."""
        self.stopping.set()
        proc = self._proc
        if proc is not None and proc.pid:
            try:
                os.kill(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def _stop_child(self) -> None:
        """Wait a moment for the child to answer "stopped", then kill it."""
        if self._conn is not None and self._conn.poll(STOP_WAIT):
            try:
                self._conn.recv()
            except (EOFError, OSError):
                pass
        self.close(kill=True)

    def close(self, *, kill: bool = False) -> None:
        """End the child: closing its pipe ends its loop; `kill` ends it at once."""
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        if conn is not None:
            conn.close()
        if proc is None:
            return
        if kill and proc.is_alive():
            proc.kill()
        proc.join(STOP_WAIT)
        if proc.is_alive():
            proc.kill()
            proc.join()

    def _started(self, runner: Callable[[Any, Any], Any]) -> Connection:
        """The child's pipe; a new child (running `runner`) when there is none. A reporter's child never
        outlives its report, so a live child is always one that runs jobs."""
        if self._proc is not None and self._proc.is_alive() and self._conn is not None:
            return self._conn
        self.close(kill=True)
        # fork: the runner may be any callable (tests hand closures); the child gets no thread
        # but this one, and touches nothing the parent's other threads hold (the delivery log, Huey).
        context = multiprocessing.get_context("fork")
        ours, theirs = context.Pipe()
        proc = context.Process(target=_child_main, args=(theirs, runner, self._settings, os.getpid()),
                               name="docbot-job")
        proc.start()
        theirs.close()
        self._proc, self._conn = proc, ours
        return ours


def _child_main(conn: Connection, runner: Callable[[Any, Any], str], settings: Any, parent: int) -> None:
    """The child's loop: one (job, timeout) at a time, one answer each, until the pipe closes."""
    _die_with(parent)
    _yield_the_cores()
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGALRM, _raise_timeout)
    try:
        while True:
            try:
                job, timeout = conn.recv()
            except EOFError:
                return
            conn.send(_run_one(runner, job, settings, timeout))
    except StopRequested:
        return


_limit: list[float] = [0.0]


def _run_one(runner: Callable[[Any, Any], str], job: Any, settings: Any, timeout: float) -> tuple:
    _limit[0] = timeout
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        try:
            return ("done", runner(job, settings), "")
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except StopRequested:
        return ("stopped", None, "")
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the worker thread
        return ("failed", _portable(exc), traceback.format_exc())


def _portable(exc: BaseException) -> BaseException:
    """The exception itself when it survives pickling, else a RuntimeError with its type and message."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001 - any unpicklable exception
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def _raise_stop(_signum: int, _frame: object) -> None:
    raise StopRequested()


def _raise_timeout(_signum: int, _frame: object) -> None:
    raise JobTimedOut(f"the job ran past its time limit of {_limit[0]:g} s and was stopped")


def _yield_the_cores() -> None:
    """Jobs take only the CPU time nothing else wants (Linux SCHED_IDLE): the webhook beside them keeps its p99.

    nice 19 alone still left a busy job process stalling the server's answers for tens of ms.
    """
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        try:
            os.nice(19 - os.nice(0))
        except OSError:
            logger.debug("could not lower the job process's CPU priority")


def _die_with(parent: int) -> None:
    """Linux: the kernel kills this child when the worker dies (SIGKILL, OOM), so no job runs on orphaned."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        logger.debug("prctl unavailable: an orphaned job runs to its end")
    if os.getppid() != parent:
        os._exit(0)
