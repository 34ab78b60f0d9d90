"""The delivery log in Redis, for `DOCBOT_QUEUE_URL=redis://...`: servers and workers share nothing else.

The same contract as the SQLite DeliveryLog. Every state change is one Lua script, so a
claim, a release or a redelivery is atomic across machines. Keys (prefix `docbot:log:`):
`d:<id>` a hash per delivery; `by_time` every id scored by arrival; `pending` the queued
and running ids; `counts` a hash of "event|status" -> number; `durations` the newest job
durations; `counters` the shared metric counters; `bytes` the payload bytes held.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import redis

from bot.app.deliveries import (
    MAX_ERROR_CHARS,
    REDIS_SCHEMES,
    ROWS_KEPT_DAYS,
    STATUSES,
    Delivery,
    DeliveryLog,
    Status,
    _iso,
    _now,
)
from bot.app.settings import Settings

PREFIX = "docbot:log:"
DURATIONS_KEPT = 10_000
PURGE_BATCH = 500

# KEYS: hash, by_time, pending, counts, bytes. ARGV: id, event, action, received_at, received_ts, payload,
# status, error, repo, pr_number
_RECORD = """
if redis.call('exists', KEYS[1]) == 1 then return 0 end
redis.call('hset', KEYS[1], 'event', ARGV[2], 'action', ARGV[3], 'received_at', ARGV[4], 'payload', ARGV[6],
           'status', ARGV[7], 'attempts', 0, 'error', ARGV[8], 'repo', ARGV[9], 'pr_number', ARGV[10])
redis.call('zadd', KEYS[2], ARGV[5], ARGV[1])
if ARGV[7] == 'queued' or ARGV[7] == 'running' then redis.call('zadd', KEYS[3], ARGV[5], ARGV[1]) end
redis.call('hincrby', KEYS[4], ARGV[2] .. '|' .. ARGV[7], 1)
redis.call('incrby', KEYS[5], string.len(ARGV[6]))
return 1
"""

# A status change with its bookkeeping. KEYS: hash, pending, counts, durations, bytes.
# ARGV: new status, mode, now, owner, lease, error (or '\\0' to keep), payload (redelivery), id, kept
# mode: mark | claim | take_over | release | reopen | renew
_CHANGE = """
local h = KEYS[1]
if redis.call('exists', h) == 0 then return -1 end
local old = redis.call('hget', h, 'status')
local mode, now = ARGV[2], tonumber(ARGV[3])
local new = ARGV[1]
if mode == 'claim' or mode == 'take_over' then
  local lease = tonumber(redis.call('hget', h, 'lease_until') or '0') or 0
  if not (old == 'queued' or (old == 'running' and (mode == 'take_over' or lease < now))) then return -1 end
  redis.call('hset', h, 'owner', ARGV[4], 'lease_until', now + tonumber(ARGV[5]), 'started_at', now)
  redis.call('hdel', h, 'finished_at')
  new = 'running'
elseif mode == 'renew' then
  if old ~= 'running' or redis.call('hget', h, 'owner') ~= ARGV[4] then return -1 end
  redis.call('hset', h, 'lease_until', now + tonumber(ARGV[5]))
  return 0
elseif mode == 'release' then
  if old ~= 'running' or redis.call('hget', h, 'owner') ~= ARGV[4] then return -1 end
  local attempts = tonumber(redis.call('hget', h, 'attempts'))
  redis.call('hset', h, 'attempts', math.max(attempts - 1, 0))
  redis.call('hdel', h, 'lease_until')
elseif mode == 'reopen' then
  if old ~= 'failed' then return -1 end
  local before = string.len(redis.call('hget', h, 'payload') or '')
  redis.call('incrby', KEYS[5], string.len(ARGV[7]) - before)
  redis.call('hset', h, 'payload', ARGV[7], 'attempts', 0)
  redis.call('hdel', h, 'error')
else
  redis.call('hdel', h, 'lease_until')
  if new == 'done' or new == 'failed' then
    redis.call('hset', h, 'finished_at', now)
    local started = tonumber(redis.call('hget', h, 'started_at') or '')
    if started then
      redis.call('lpush', KEYS[4], math.max(now - started, 0))
      redis.call('ltrim', KEYS[4], 0, tonumber(ARGV[9]) - 1)
    end
  end
end
if ARGV[6] ~= '\\0' and mode ~= 'reopen' then
  if ARGV[6] == '' then redis.call('hdel', h, 'error') else redis.call('hset', h, 'error', ARGV[6]) end
end
local attempts = 0
if mode == 'claim' or mode == 'take_over' then attempts = redis.call('hincrby', h, 'attempts', 1) end
if old ~= new then
  local event = redis.call('hget', h, 'event')
  redis.call('hset', h, 'status', new)
  redis.call('hincrby', KEYS[3], event .. '|' .. old, -1)
  redis.call('hincrby', KEYS[3], event .. '|' .. new, 1)
  if new == 'queued' or new == 'running' then
    redis.call('zadd', KEYS[2], redis.call('zscore', KEYS[6], ARGV[8]), ARGV[8])
  else
    redis.call('zrem', KEYS[2], ARGV[8])
  end
end
return attempts
"""

# KEYS: hash, by_time, pending, counts, bytes. ARGV: id, drop_row ('1') or only the payload ('0')
_PURGE = """
local h = KEYS[1]
local status = redis.call('hget', h, 'status')
if not status or status == 'queued' or status == 'running' then return 0 end
local size = string.len(redis.call('hget', h, 'payload') or '')
redis.call('decrby', KEYS[5], size)
if ARGV[2] == '1' then
  redis.call('hincrby', KEYS[4], redis.call('hget', h, 'event') .. '|' .. status, -1)
  redis.call('del', h)
  redis.call('zrem', KEYS[2], ARGV[1])
  return 2
end
if size == 0 then return 0 end
redis.call('hset', h, 'payload', '')
return 1
"""


class RedisDeliveryLog:
    """The delivery log on a Redis server; `where` names it (password hidden)."""

    def __init__(self, url: str, where: str) -> None:
        self.client = redis.Redis.from_url(url)
        self.where = where
        self.path = None
        self._record = self.client.register_script(_RECORD)
        self._change_script = self.client.register_script(_CHANGE)
        self._purge = self.client.register_script(_PURGE)

    def _key(self, name: str) -> str:
        return PREFIX + name

    def _hash(self, delivery_id: str) -> str:
        return self._key(f"d:{delivery_id}")

    def record(self, delivery_id: str, event: str, action: str | None, payload: bytes, *,
               status: Status = "queued", error: str | None = None, repo: str | None = None,
               pr_number: int | None = None) -> bool:
        now = datetime.now(UTC)
        keys = [self._hash(delivery_id), self._key("by_time"), self._key("pending"), self._key("counts"),
                self._key("bytes")]
        args = [delivery_id, event, action or "", _iso(now), now.timestamp(), payload, status, error or "",
                repo or "", "" if pr_number is None else pr_number]
        return self._record(keys=keys, args=args) == 1

    def _change(self, delivery_id: str, status: str, mode: str, *, owner: str = "", lease: float = 0,
                error: str | None = "\0", payload: bytes = b"") -> int:
        keys = [self._hash(delivery_id), self._key("pending"), self._key("counts"), self._key("durations"),
                self._key("bytes"), self._key("by_time")]
        args = [status, mode, time.time(), owner, lease, error if error is not None else "", payload, delivery_id,
                DURATIONS_KEPT]
        return int(self._change_script(keys=keys, args=args))

    def mark(self, delivery_id: str, status: Status, error: str | None = None) -> None:
        self._change(delivery_id, status, "mark", error=(error or "")[:MAX_ERROR_CHARS])

    def start_attempt(self, delivery_id: str) -> int:
        return max(self._change(delivery_id, "running", "take_over", owner="", lease=0), 0)

    def claim(self, delivery_id: str, owner: str, lease: float, *, take_over: bool = False) -> int | None:
        attempt = self._change(delivery_id, "running", "take_over" if take_over else "claim", owner=owner,
                               lease=lease)
        return attempt if attempt > 0 else None

    def renew(self, delivery_ids: list[str], owner: str, lease: float) -> None:
        for delivery_id in delivery_ids:
            self._change(delivery_id, "running", "renew", owner=owner, lease=lease)

    def release(self, delivery_id: str, owner: str) -> None:
        self._change(delivery_id, "queued", "release", owner=owner)

    def reopen_failed(self, delivery_id: str, payload: bytes) -> bool:
        return self._change(delivery_id, "queued", "reopen", payload=payload) >= 0

    def get(self, delivery_id: str) -> Delivery | None:
        fields = self.client.hgetall(self._hash(delivery_id))
        return _delivery(delivery_id, fields) if fields else None

    def pending(self) -> list[str]:
        return [m.decode() for m in self.client.zrange(self._key("pending"), 0, -1)]

    def stranded(self, queued_for: float, only: str | None = None) -> list[str]:
        ids = [only] if only else self.pending()
        before = (datetime.now(UTC) - timedelta(seconds=queued_for)).timestamp()
        found = []
        for delivery_id in ids:
            d = self.get(delivery_id)
            received = datetime.fromisoformat(d.received_at).timestamp() if d else 0
            if d and ((d.status == "queued" and received < before)
                      or (d.status == "running" and (d.lease_until or 0) < time.time())):
                found.append(delivery_id)
        return found

    def recent(self, limit: int = 100) -> list[Delivery]:
        ids = [m.decode() for m in self.client.zrevrange(self._key("by_time"), 0, limit - 1)]
        fields = ["event", "action", "received_at", "status", "attempts", "error", "repo", "pr_number", "owner",
                  "lease_until", "started_at", "finished_at"]
        with self.client.pipeline(transaction=False) as pipe:
            for delivery_id in ids:
                pipe.hmget(self._hash(delivery_id), fields)
            rows = pipe.execute()
        return [_delivery(i, {f.encode(): v for f, v in zip(fields, row, strict=True) if v is not None})
                for i, row in zip(ids, rows, strict=True) if row[0] is not None]

    def counts(self) -> dict[str, int]:
        totals = {status: 0 for status in STATUSES}
        for (_event, status), count in self.counts_by_event().items():
            totals[status] += count
        return totals

    def counts_by_event(self) -> dict[tuple[str, str], int]:
        counts = {}
        for key, value in self.client.hgetall(self._key("counts")).items():
            event, _, status = key.decode().rpartition("|")
            if int(value):
                counts[(event, status)] = int(value)
        return counts

    def size(self) -> dict[str, int]:
        rows = self.client.zcard(self._key("by_time"))
        held = int(self.client.get(self._key("bytes")) or 0)
        return {"rows": rows, "rows_with_payload": rows if held else 0, "bytes": held}

    def durations(self, limit: int = DURATIONS_KEPT) -> list[float]:
        return [float(v) for v in self.client.lrange(self._key("durations"), 0, limit - 1)]

    def add_to_counter(self, name: str, amount: float = 1.0) -> None:
        self.client.hincrbyfloat(self._key("counters"), name, amount)

    def counters(self) -> dict[str, float]:
        return {k.decode(): float(v) for k, v in self.client.hgetall(self._key("counters")).items()}

    def purge(self, retention_days: float, now: datetime | None = None) -> tuple[int, int]:
        now = now or datetime.now(UTC)
        emptied = dropped = 0
        for days, drop in ((ROWS_KEPT_DAYS, "1"), (retention_days, "0")):
            cutoff = (now - timedelta(days=days)).timestamp()
            ids = self.client.zrangebyscore(self._key("by_time"), "-inf", f"({cutoff}")
            for raw in ids:
                delivery_id = raw.decode()
                keys = [self._hash(delivery_id), self._key("by_time"), self._key("pending"), self._key("counts"),
                        self._key("bytes")]
                result = self._purge(keys=keys, args=[delivery_id, drop])
                dropped += result == 2
                emptied += result == 1
        return emptied, dropped

    def close(self) -> None:
        self.client.close()


def _delivery(delivery_id: str, fields: dict[bytes, bytes]) -> Delivery:
    def text(name: str) -> str | None:
        value = fields.get(name.encode())
        return value.decode() if value else None

    def number(name: str) -> float | None:
        value = text(name)
        return float(value) if value else None

    pr = text("pr_number")
    return Delivery(
        delivery_id=delivery_id, event=text("event") or "", action=text("action"),
        received_at=text("received_at") or _now(), payload=fields.get(b"payload", b""),
        status=text("status"), attempts=int(text("attempts") or 0), error=text("error"), repo=text("repo"),
        pr_number=int(pr) if pr else None, owner=text("owner"), lease_until=number("lease_until"),
        started_at=number("started_at"), finished_at=number("finished_at"),
    )


AnyLog = DeliveryLog | RedisDeliveryLog  # what open_log returns


def open_log(settings: Settings) -> AnyLog:
    """The delivery log the settings name: in Redis with a redis:// queue (nothing else shared), else SQLite."""
    if settings.queue_url.startswith(REDIS_SCHEMES):
        return RedisDeliveryLog(settings.queue_url, settings.redacted_queue_url)
    return DeliveryLog(settings.delivery_log_path)
