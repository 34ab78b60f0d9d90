"""The durable delivery log: every webhook delivery docbot accepted, keyed by X-GitHub-Delivery."""

import os
import sqlite3
import threading
import time
from contextlib import closing, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

Status = Literal["queued", "running", "done", "failed", "ignored"]
STATUSES: tuple[Status, ...] = ("queued", "running", "done", "failed", "ignored")
PENDING: tuple[Status, ...] = ("queued", "running")
MAX_ERROR_CHARS = 4000
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
ROWS_KEPT_DAYS = 90  # rows older than this go; payloads go after the retention (DOCBOT_RETENTION_DAYS)

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
create index if not exists deliveries_received on deliveries (received_at);
create table if not exists counters (name text primary key, value real not null default 0);
"""
# Columns added after the first release; a log file from before gets them on open.
_LATER_COLUMNS = {
    "repo": "text",
    "pr_number": "integer",
    "owner": "text",  # host:pid of the worker running it
    "lease_until": "real",  # unix time; a running delivery whose lease ran out may be taken over
    "started_at": "real",
    "finished_at": "real",
}


@dataclass(frozen=True)
class Delivery:
    """One row of the log; payload holds the raw body exactly as GitHub sent it (empty after retention)."""

    delivery_id: str
    event: str
    action: str | None
    received_at: str
    payload: bytes
    status: Status
    attempts: int
    error: str | None
    repo: str | None = None
    pr_number: int | None = None
    owner: str | None = None
    lease_until: float | None = None
    started_at: float | None = None
    finished_at: float | None = None

    @property
    def duration(self) -> float | None:
        """Seconds the last attempt took, when it has ended."""
        if self.started_at is None or self.finished_at is None:
            return None
        return max(0.0, self.finished_at - self.started_at)


class DeliveryLog:
    """SQLite in WAL mode, autocommit; one connection per thread and process (fork- and thread-safe)."""

    def __init__(self, path: Path, *, busy_timeout: float = 10.0) -> None:
        self.path = Path(path)
        self.where = str(self.path)
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
            present = {row["name"] for row in conn.execute("pragma table_info(deliveries)")}
            for name, kind in _LATER_COLUMNS.items():
                if name not in present:
                    conn.execute(f"alter table deliveries add column {name} {kind}")

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
        repo: str | None = None,
        pr_number: int | None = None,
    ) -> bool:
        """Store a new delivery; False when its id is already there (a redelivery)."""
        inserted = self._change(
            "insert into deliveries (delivery_id, event, action, received_at, payload, status,"
            " error, repo, pr_number) values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (delivery_id) do nothing",
            (delivery_id, event, action, _now(), payload, status, error, repo, pr_number),
        )
        return inserted == 1

    def mark(self, delivery_id: str, status: Status, error: str | None = None) -> None:
        """Set a delivery's status (and error text, cleared when None); an end status ends its attempt."""
        if error is not None:
            error = error[:MAX_ERROR_CHARS]
        finished = time.time() if status in ("done", "failed") else None
        self._change(
            "update deliveries set status = ?, error = ?, lease_until = null,"
            " finished_at = coalesce(?, finished_at) where delivery_id = ?",
            (status, error, finished, delivery_id),
        )

    def start_attempt(self, delivery_id: str) -> int:
        """Mark a delivery running and count the attempt, whoever holds it; returns the attempt number."""
        rows = self._query(
            "update deliveries set status = 'running', attempts = attempts + 1, started_at = ?,"
            " finished_at = null where delivery_id = ? returning attempts",
            (time.time(), delivery_id),
            write=True,
        )
        return rows[0]["attempts"] if rows else 0

    def claim(self, delivery_id: str, owner: str, lease: float, *, take_over: bool = False) -> int | None:
        """Start an attempt if the delivery is queued, or running with its lease run out (or `take_over`).

        Returns the attempt number, or None when another worker holds it or it has ended: two
        tasks of one delivery (a redelivery, a sweep, a restart) never run it side by side.
        """
        now = time.time()
        rows = self._query(
            "update deliveries set status = 'running', attempts = attempts + 1, owner = ?, lease_until = ?,"
            " started_at = ?, finished_at = null where delivery_id = ? and (status = 'queued'"
            " or (status = 'running' and (? or coalesce(lease_until, 0) < ?))) returning attempts",
            (owner, now + lease, now, delivery_id, take_over, now),
            write=True,
        )
        return rows[0]["attempts"] if rows else None

    def renew(self, delivery_ids: list[str], owner: str, lease: float) -> None:
        """Extend the leases this owner holds on running deliveries."""
        until = time.time() + lease
        for delivery_id in delivery_ids:
            self._change(
                "update deliveries set lease_until = ? where delivery_id = ? and owner = ? and status = 'running'",
                (until, delivery_id, owner),
            )

    def release(self, delivery_id: str, owner: str) -> None:
        """Hand a running delivery back (worker stopping): queued again, this attempt not counted."""
        self._change(
            "update deliveries set status = 'queued', attempts = max(attempts - 1, 0), lease_until = null"
            " where delivery_id = ? and owner = ? and status = 'running'",
            (delivery_id, owner),
        )

    def reopen_failed(self, delivery_id: str, payload: bytes) -> bool:
        """A redelivery of a failed delivery: queued again with the body GitHub sent; False if not failed."""
        return self._change(
            "update deliveries set status = 'queued', payload = ?, error = null, attempts = 0"
            " where delivery_id = ? and status = 'failed'",
            (payload, delivery_id),
        ) == 1

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

    def stranded(self, queued_for: float, only: str | None = None) -> list[str]:
        """Queued longer than `queued_for` seconds, or running with the lease run out; oldest first."""
        before = _iso(datetime.now(UTC) - timedelta(seconds=queued_for))
        rows = self._query(
            "select delivery_id from deliveries where ((status = 'queued' and received_at < ?)"
            " or (status = 'running' and coalesce(lease_until, 0) < ?)) and (? is null or delivery_id = ?)"
            " order by received_at, rowid",
            (before, time.time(), only, only),
        )
        return [row["delivery_id"] for row in rows]

    def recent(self, limit: int = 100) -> list[Delivery]:
        """The newest deliveries, newest first, without their payloads."""
        rows = self._query(
            "select delivery_id, event, action, received_at, x'' as payload, status, attempts, error, repo,"
            " pr_number, owner, lease_until, started_at, finished_at from deliveries"
            " order by received_at desc, rowid desc limit ?",
            (limit,),
        )
        return [Delivery(**dict(row)) for row in rows]

    def counts(self) -> dict[str, int]:
        """Number of deliveries per status, every status present."""
        rows = self._query("select status, count(*) as n from deliveries group by status")
        return {status: 0 for status in STATUSES} | {row["status"]: row["n"] for row in rows}

    def size(self) -> dict[str, int]:
        """Rows, rows still holding a payload, and bytes on disk (database and its WAL)."""
        row = self._query("select count(*) as n, count(nullif(length(payload), 0)) as p from deliveries")[0]
        on_disk = sum(p.stat().st_size for p in (self.path, self.path.with_name(self.path.name + "-wal"))
                      if p.exists())
        return {"rows": row["n"], "rows_with_payload": row["p"], "bytes": on_disk}

    def counts_by_event(self) -> dict[tuple[str, str], int]:
        """Number of deliveries per (event, status)."""
        rows = self._query("select event, status, count(*) as n from deliveries group by event, status")
        return {(row["event"], row["status"]): row["n"] for row in rows}

    def durations(self, limit: int = 10_000) -> list[float]:
        """Seconds the last attempt of the newest ended jobs took."""
        rows = self._query(
            "select finished_at - started_at as d from deliveries where finished_at is not null"
            " and started_at is not null order by finished_at desc limit ?",
            (limit,),
        )
        return [max(0.0, row["d"]) for row in rows]

    def add_to_counter(self, name: str, amount: float = 1.0) -> None:
        """Add to a counter every process sees (GitHub requests, rate-limit waits)."""
        self._change(
            "insert into counters (name, value) values (?, ?) on conflict (name) do update set value = value + ?",
            (name, amount, amount),
        )

    def counters(self) -> dict[str, float]:
        return {row["name"]: row["value"] for row in self._query("select name, value from counters")}

    def purge(self, retention_days: float, now: datetime | None = None) -> tuple[int, int]:
        """Drop payloads older than the retention and rows older than 90 days; (payloads, rows) dropped."""
        now = now or datetime.now(UTC)
        keep_payload_after = _iso(now - timedelta(days=retention_days))
        keep_row_after = _iso(now - timedelta(days=ROWS_KEPT_DAYS))
        dropped_rows = self._change(
            "delete from deliveries where received_at < ? and status not in ('queued', 'running')",
            (keep_row_after,),
        )
        emptied = self._change(
            "update deliveries set payload = x'' where received_at < ? and length(payload) > 0"
            " and status not in ('queued', 'running')",
            (keep_payload_after,),
        )
        return emptied, dropped_rows


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def _now() -> str:
    return _iso(datetime.now(UTC))
