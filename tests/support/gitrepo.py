"""Real git repositories in temp folders for tests."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Dev",
    "GIT_AUTHOR_EMAIL": "dev@example.com",
    "GIT_COMMITTER_NAME": "Test Dev",
    "GIT_COMMITTER_EMAIL": "dev@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


class Repo:
    """A work tree driven through the git command line."""

    def __init__(self, path: Path):
        self.path = Path(path)

    @classmethod
    def init(cls, path: Path, files: dict[str, bytes | str] | None = None, branch: str = "main") -> Repo:
        path.mkdir(parents=True, exist_ok=True)
        repo = cls(path)
        repo.git("init", "-q", "-b", branch)
        if files:
            repo.write(files)
            repo.commit("initial")
        return repo

    def git(self, *args: str) -> str:
        env = {**os.environ, **GIT_ENV, "GIT_CONFIG_GLOBAL": os.devnull}
        done = subprocess.run(["git", *args], cwd=self.path, env=env, capture_output=True, check=False)
        if done.returncode:
            raise AssertionError(f"git {' '.join(args)} failed: {done.stderr.decode(errors='replace')}")
        return done.stdout.decode("utf-8", errors="replace")

    def write(self, files: dict[str, bytes | str]) -> None:
        for rel, content in files.items():
            target = self.path / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            data = content.encode("utf-8") if isinstance(content, str) else content
            target.write_bytes(data)

    def move(self, old: str, new: str) -> None:
        """`git mv`, creating the target folder first."""
        (self.path / new).parent.mkdir(parents=True, exist_ok=True)
        self.git("mv", old, new)

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.head()

    def head(self, rev: str = "HEAD") -> str:
        return self.git("rev-parse", rev).strip()

    def read(self, rel: str) -> str:
        return (self.path / rel).read_text(encoding="utf-8")

    def files(self, under: str = "") -> dict[str, bytes]:
        """Every regular file below `under` (outside .git), as bytes."""
        base = self.path / under
        found = {}
        for path in sorted(base.rglob("*")):
            if ".git" in path.relative_to(self.path).parts or not path.is_file() or path.is_symlink():
                continue
            found[path.relative_to(self.path).as_posix()] = path.read_bytes()
        return found
