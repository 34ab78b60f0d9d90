"""Run the real `git` client against the double, isolated from the user's git config."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

CLIENT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_ASKPASS": "",
    "GIT_AUTHOR_NAME": "Test Dev",
    "GIT_AUTHOR_EMAIL": "dev@example.com",
    "GIT_COMMITTER_NAME": "Test Dev",
    "GIT_COMMITTER_EMAIL": "dev@example.com",
}


def git(*args: str, cwd: Path | str | None = None, check: bool = True,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`git args...`; raises with git's stderr when `check` and the command fails."""
    full_env = {**os.environ, **CLIENT_ENV, **(env or {})}
    full_env.pop("GIT_DIR", None)
    proc = subprocess.run(["git", *args], cwd=cwd, env=full_env, capture_output=True,
                          text=True, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed:\n{proc.stderr}")
    return proc
