"""The durability the 202 relies on: the delivery log fsyncs each commit, the SQLite queue need not."""

import sqlite3
from contextlib import closing

from bot.app.queue import DeliveryQueue
from bot.app.settings import Settings

FULL, NORMAL = 2, 1


def test_the_delivery_log_commits_with_fsync_and_the_queue_without(tmp_path):
    queue = DeliveryQueue(Settings(webhook_secret="s", data_dir=tmp_path))
    try:
        assert queue.log.record("d-1", "pull_request", "opened", b"{}")
        queue.enqueue("d-1")
        log = queue.log._conn()
        assert log.execute("pragma journal_mode").fetchone()[0] == "wal"
        assert log.execute("pragma synchronous").fetchone()[0] == FULL
        storage = queue.huey.storage.conn
        assert storage.execute("pragma journal_mode").fetchone()[0] == "wal"
        assert storage.execute("pragma synchronous").fetchone()[0] == NORMAL
        assert queue.depth() == 1
    finally:
        queue.huey.storage.close()


def test_a_record_is_visible_at_once_to_another_connection(tmp_path):
    queue = DeliveryQueue(Settings(webhook_secret="s", data_dir=tmp_path))
    try:
        assert queue.log.record("d-2", "pull_request", "opened", b"{}")
        with closing(sqlite3.connect(queue.log.path)) as other:
            assert other.execute("select status from deliveries where delivery_id = 'd-2'").fetchone() == ("queued",)
    finally:
        queue.huey.storage.close()
