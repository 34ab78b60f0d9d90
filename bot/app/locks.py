"""Locks that serialise work across worker threads, processes and (with Redis) machines."""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import redis
import redis.lock

from bot.app.settings import Settings
from bot.errors import DocbotError

WAIT = 600.0  # seconds a job waits for another job of the same PR before giving up
POLL = 0.05  # seconds between tries of a held lock
REDIS_TTL = 30  # seconds: a lock of a worker that died frees itself after this long (a live one renews it)
RENEW_EVERY = 10  # seconds between renewals of a held Redis lock


class LockTimeout(DocbotError):
    """Another job held a lock for longer than a job may wait."""


@contextmanager
def file_lock(path: Path, wait: float = WAIT) -> Iterator[None]:
    """flock on `path`: per open file, so threads exclude each other too; freed when a process dies."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise LockTimeout(f"{path.name} stayed locked for {wait:.0f} s") from None
                time.sleep(POLL)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


@contextmanager
def job_lock(settings: Settings, key: str, wait: float = WAIT) -> Iterator[None]:
    """One job at a time per key: a Redis lock when the queue is on Redis (many machines), else flock."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    if not settings.queue_url.startswith(("redis://", "rediss://", "unix://")):
        with file_lock(settings.locks_dir / f"job-{digest}.lock", wait):
            yield
        return
    client = redis.Redis.from_url(settings.queue_url)
    lock = client.lock(f"docbot:lock:{digest}", timeout=REDIS_TTL, blocking_timeout=wait)
    try:
        if not lock.acquire():
            raise LockTimeout(f"the job lock {key!r} stayed taken for {wait:.0f} s")
        released = threading.Event()
        keeper = threading.Thread(target=_keep, args=(lock, released), name="docbot-lock", daemon=True)
        keeper.start()
        try:
            yield
        finally:
            released.set()
            keeper.join()
            with suppress(redis.exceptions.LockError):  # expired while held: nothing left to free
                lock.release()
    finally:
        client.close()


def _keep(lock: redis.lock.Lock, released: threading.Event) -> None:
    """Renew a held lock until it is released: a job may hold it for long, a dead one only REDIS_TTL."""
    while not released.wait(RENEW_EVERY):
        try:
            lock.reacquire()
        except (redis.exceptions.LockError, redis.exceptions.ConnectionError):
            return
