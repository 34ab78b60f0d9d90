"""One contract, two delivery logs: SQLite (one machine) and Redis (nothing else shared)."""

from datetime import UTC, datetime, timedelta

import pytest
from test_queue import OPENED, redis_url  # noqa: F401 - the fixture

from bot.app.redis_log import RedisDeliveryLog, open_log
from bot.app.settings import Settings


@pytest.fixture(params=["sqlite", "redis"])
def log(request, tmp_path):
    url = request.getfixturevalue("redis_url") if request.param == "redis" else ""
    made = open_log(Settings(data_dir=tmp_path / "data", queue_url=url))
    assert isinstance(made, RedisDeliveryLog) == (request.param == "redis")
    yield made
    if isinstance(made, RedisDeliveryLog):
        made.close()


def test_record_is_once_per_delivery_id(log):
    assert log.record("d-1", "pull_request", "opened", OPENED, repo="o/r", pr_number=2)
    assert not log.record("d-1", "pull_request", "opened", b"other")
    d = log.get("d-1")
    assert (d.event, d.action, d.payload, d.status, d.attempts, d.repo, d.pr_number) == (
        "pull_request", "opened", OPENED, "queued", 0, "o/r", 2)
    assert log.get("d-none") is None
    assert log.pending() == ["d-1"]


def test_claims_leases_take_overs_and_hand_backs(log):
    log.record("d-1", "pull_request", "opened", OPENED)
    assert log.claim("d-1", "a:1", 30) == 1
    assert log.claim("d-1", "b:2", 30) is None  # held, lease running
    assert log.stranded(3600) == []
    log.renew(["d-1"], "a:1", -1)  # the lease ran out: a dead worker
    assert log.stranded(3600) == ["d-1"]
    assert log.claim("d-1", "b:2", 30) == 2
    assert log.claim("d-1", "a:1", 30, take_over=True) == 3
    log.release("d-1", "b:2")  # not the owner any more: nothing
    assert log.get("d-1").status == "running"
    log.release("d-1", "a:1")
    d = log.get("d-1")
    assert (d.status, d.attempts, d.owner) == ("queued", 2, "a:1")
    assert log.stranded(-1) == ["d-1"]


def test_end_states_counts_durations_and_redelivery_of_a_failure(log):
    for delivery_id in ("d-1", "d-2", "d-3"):
        log.record(delivery_id, "pull_request", "opened", OPENED)
    log.record("d-4", "ping", None, b"", status="ignored", error="needs no job")
    log.claim("d-1", "a:1", 30)
    log.mark("d-1", "done")
    log.claim("d-2", "a:1", 30)
    log.mark("d-2", "failed", "attempt 1: JobTimedOut: too slow")
    assert log.counts() == {"queued": 1, "running": 0, "done": 1, "failed": 1, "ignored": 1}
    assert log.counts_by_event() == {("pull_request", "done"): 1, ("pull_request", "failed"): 1,
                                     ("pull_request", "queued"): 1, ("ping", "ignored"): 1}
    assert len(log.durations()) == 2 and all(d >= 0 for d in log.durations())
    assert log.get("d-2").error == "attempt 1: JobTimedOut: too slow"
    assert not log.reopen_failed("d-1", OPENED)
    assert log.reopen_failed("d-2", OPENED)
    d = log.get("d-2")
    assert (d.status, d.attempts, d.error) == ("queued", 0, None)
    assert [d.delivery_id for d in log.recent(10)] == ["d-4", "d-3", "d-2", "d-1"]
    assert all(d.payload == b"" for d in log.recent(10))
    assert sorted(log.pending()) == ["d-2", "d-3"]


def test_retention_and_size_and_counters(log):
    log.record("d-1", "pull_request", "opened", OPENED, status="done")
    log.record("d-2", "pull_request", "opened", OPENED)
    assert log.size()["rows"] == 2 and log.size()["bytes"] > 0
    assert log.purge(7, now=datetime.now(UTC) + timedelta(days=8)) == (1, 0)
    assert log.get("d-1").payload == b"" and log.get("d-2").payload == OPENED  # d-2 still to run
    assert log.purge(7, now=datetime.now(UTC) + timedelta(days=91)) == (0, 1)
    assert log.get("d-1") is None and log.size()["rows"] == 1
    log.add_to_counter("github_requests", 8)
    log.add_to_counter("github_requests", 1)
    assert log.counters() == {"github_requests": 9.0}
