"""Job locks: one holder at a time across threads and processes, on flock and on a real Redis."""

from __future__ import annotations

import threading

import pytest
from test_queue import redis_url  # noqa: F401  (a fixture: a redis-server this test starts)

from bot.app.locks import LockTimeout, job_lock
from bot.app.settings import Settings


@pytest.fixture(params=["file", "redis"])
def settings(request, tmp_path) -> Settings:
    url = request.getfixturevalue("redis_url") if request.param == "redis" else ""
    return Settings(data_dir=tmp_path / "data", queue_url=url)


def test_a_second_holder_waits_for_the_first(settings):
    held, release = threading.Event(), threading.Event()

    def first() -> None:
        with job_lock(settings, "octo/widgets#1"):
            held.set()
            release.wait(timeout=30)

    holder = threading.Thread(target=first)
    holder.start()
    assert held.wait(timeout=30)
    with pytest.raises(LockTimeout), job_lock(settings, "octo/widgets#1", wait=0.2):
        pass
    with job_lock(settings, "octo/widgets#2", wait=0.2):  # another PR is not held up
        pass
    release.set()
    holder.join(timeout=30)
    with job_lock(settings, "octo/widgets#1", wait=5):
        pass
