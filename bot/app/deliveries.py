"""The durable delivery log: every webhook delivery docbot accepted, keyed by X-GitHub-Delivery."""

import os
import sqlite3
import threading
from contextlib import closing, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

Status = Literal["queued", "running", "done", "failed", "ignored"]
STATUSES: tuple[Status, ...] = ("queued", "running", "done", "failed", "ignored")
PENDING: tuple[Status, ...] = ("queued", "running")
MAX_ERROR_CHARS = 4000

_SCHEMA = """
create table if not exists deliveries (
    delivery_id text primary key,
    event text not null,
    action text,
    received_at text not null,
    payload blob not null,
    status text not null check (status in ('queued', 'running', 'done', 'failed', 'ignored')),
    attempts integer not null default 0,
    error text
);
create index if not exists deliveries_status on deliveries (status, received_at);
"""


@dataclass(frozen=True)
class Delivery:
    """One row of the log; payload holds the raw body exactly as GitHub sent it."""

    delivery_id: str
    event: str
    action: str | None
    received_at: str
    payload: bytes
    status: Status
    attempts: int
    error: str | None


class DeliveryLog:
    """SQLite in WAL mode, autocommit; one connection per thread and process (fork- and thread-safe)."""

    def __init__(self, path: Path, *, busy_timeout: float = 10.0) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        # Writers of one process take turns here rather than in SQLite: a writer SQLite
        # finds locked polls with sleeps growing to 100 ms, and a few polling threads
        # starve each other (acks of 900 ms seen behind one 40 ms fsync).
        self._writing = threading.Lock()
        with closing(self._connect()) as conn:
            conn.execute("pragma journal_mode=wal")
            conn.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
        conn.row_factory = sqlite3.Row
        return conn

    def _conn(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use and kept open.

        Kept, because closing the last connection to a WAL database checkpoints the WAL
        into the database file and deletes it: with a connection per call, each insert
        paid two more fsyncs and a new WAL. Per process too: a forked child (gunicorn
        --preload) opens its own and leaves any inherited one untouched.
        """
        conns = self._local.__dict__.setdefault("by_pid", {})
        conn = conns.get(os.getpid())
        if conn is None:
            conn = conns[os.getpid()] = self._connect()
        return conn

    def _query(self, sql: str, params: tuple = (), *, write: bool = False) -> list[sqlite3.Row]:
        with self._writing if write else nullcontext():
            return self._conn().execute(sql, params).fetchall()

    def _change(self, sql: str, params: tuple = ()) -> int:
        with self._writing:
            return self._conn().execute(sql, params).rowcount

    def record(
        self,
        delivery_id: str,
        event: str,
        action: str | None,
        payload: bytes,
        *,
        status: Status = "queued",
        error: str | None = None,
    ) -> bool:
        """Store a new delivery; False when its id is already there (a redelivery)."""
        inserted = self._change(
            "insert into deliveries (delivery_id, event, action, received_at, payload, status,"
            " error) values (?, ?, ?, ?, ?, ?, ?) on conflict (delivery_id) do nothing",
            (delivery_id, event, action, _now(), payload, status, error),
        )
        return inserted == 1

    def mark(self, delivery_id: str, status: Status, error: str | None = None) -> None:
        """Set a delivery's status (and error text, cleared when None)."""
        if error is not None:
            error = error[:MAX_ERROR_CHARS]
        self._change(
            "update deliveries set status = ?, error = ? where delivery_id = ?",
            (status, error, delivery_id),
        )

    def start_attempt(self, delivery_id: str) -> int:
        """Mark a delivery running and count the attempt; returns the attempt number."""
        rows = self._query(
            "update deliveries set status = 'running', attempts = attempts + 1"
            " where delivery_id = ? returning attempts",
            (delivery_id,),
            write=True,
        )
        return rows[0]["attempts"] if rows else 0

    def get(self, delivery_id: str) -> Delivery | None:
        """The delivery with this id, or None."""
        rows = self._query("select * from deliveries where delivery_id = ?", (delivery_id,))
        return Delivery(**dict(rows[0])) if rows else None

    def pending(self) -> list[str]:
        """Ids of deliveries still queued or running, oldest first (to re-enqueue on start)."""
        rows = self._query(
            "select delivery_id from deliveries where status in (?, ?) order by received_at, rowid",  # ties: arrival
            PENDING,
        )
        return [row["delivery_id"] for row in rows]

    def counts(self) -> dict[str, int]:
        """Number of deliveries per status, every status present."""
        rows = self._query("select status, count(*) as n from deliveries group by status")
        return {status: 0 for status in STATUSES} | {row["status"]: row["n"] for row in rows}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
