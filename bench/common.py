"""Shared helpers for the benchmarks: temp git repositories, timed subprocesses, peak memory."""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    # No background `git gc --auto`: it would repack while a command is timed, and race the
    # removal of the temporary repositories at the end.
    "GIT_CONFIG_COUNT": "1",
    "GIT_CONFIG_KEY_0": "gc.auto",
    "GIT_CONFIG_VALUE_0": "0",
}
DOCBOT = [sys.executable, "-m", "bot.cli"]


# Where the benchmark trees go unless --dir says otherwise: a RAM-backed tmpfs, when there is one
# with room. Why: on a disk, what file creation costs depends on what ran before, not on the tool
# timed. On ext4 without a journal (this project's build machines), the kernel skips every inode
# freed in the last one to five minutes, one lookup each, before it hands out a new one: after a
# test run that removed some 10^5 temporary files, creating 4,000 pages costs 1-2 s of kernel
# time instead of 0.15 s. `--dir /tmp` measures on the disk anyway.
TMPFS = "/dev/shm"
_TMPFS_ROOM = 2 * 1024**3


def dir_option(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--dir", help=f"folder for the temporary trees (default: {TMPFS} if there, else the temp dir)")
    return parser


def bench_parent(chosen: str | None) -> str:
    """The folder for the benchmark's trees: `chosen` (--dir), else the tmpfs when it has room."""
    if chosen:
        return chosen
    if os.path.isdir(TMPFS) and os.access(TMPFS, os.W_OK) and shutil.disk_usage(TMPFS).free > _TMPFS_ROOM:
        return TMPFS
    return tempfile.gettempdir()


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, env=GIT_ENV, capture_output=True, text=True, check=True)
    return done.stdout


def init_repo(repo: Path) -> None:
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "sources")


def timed(cmd: list[str], cwd: Path) -> float:
    """Wall time of one command; fails loudly when the command fails.

    Dirty pages are flushed first (`sync`): writing back what the setup copied and committed
    would otherwise land on whichever command runs next, and make file creation on this kind
    of disk several times slower.
    """
    os.sync()
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=GIT_ENV, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"bench: {' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def median_of(runs: list[float]) -> float:
    return statistics.median(runs)


def peak_child_rss_mb() -> float:
    """Largest resident set of any finished child process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
