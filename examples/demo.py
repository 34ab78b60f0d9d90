"""`make demo`: docbot's pull-request job on a throwaway copy of the sample project.

Builds a git repository from examples/sample-project, generates its documentation mirror on
`main`, makes a feature branch that modifies, adds, deletes and renames files, runs
`docbot pr` on it, and prints the summary and where the regenerated pages went.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent / "sample-project"
ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Demo Dev",
    "GIT_AUTHOR_EMAIL": "dev@example.com",
    "GIT_COMMITTER_NAME": "Demo Dev",
    "GIT_COMMITTER_EMAIL": "dev@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}

TRIANGLE = '''"""Triangles, measured from their three side lengths."""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Triangle:
    """A triangle given by its side lengths."""

    a: float
    b: float
    c: float

    def area(self) -> float:
        """Heron's formula."""
        s = (self.a + self.b + self.c) / 2
        return math.sqrt(s * (s - self.a) * (s - self.b) * (s - self.c))
'''

SCALE = '''

def scale(shape, factor: float):
    """A copy of `shape` scaled by `factor`."""
    if isinstance(shape, Circle):
        return Circle(shape.radius * factor)
    return Polygon(tuple((x * factor, y * factor) for x, y in shape.vertices))
'''


def run(*args: str, cwd: Path, quiet: bool = False) -> str:
    done = subprocess.run(args, cwd=cwd, env=ENV, text=True, capture_output=True)
    if done.returncode not in (0,):
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"demo: command failed: {' '.join(args)}")
    if not quiet and done.stdout.strip():
        print(done.stdout.rstrip())
    return done.stdout


def docbot(*args: str, cwd: Path, quiet: bool = False) -> str:
    return run(sys.executable, "-m", "bot.cli", *args, cwd=cwd, quiet=quiet)


def build_repository(repo: Path) -> None:
    shutil.copytree(SAMPLE, repo)
    run("git", "init", "-q", "-b", "main", cwd=repo)
    run("git", "add", "-A", cwd=repo)
    run("git", "commit", "-q", "-m", "Import geometry-kit", cwd=repo)
    print("== main: first generation of the documentation mirror")
    docbot("generate", "--all", cwd=repo)
    run("git", "add", "-A", cwd=repo)
    run("git", "commit", "-q", "-m", "docs: generate the mirror", cwd=repo)


def make_feature_branch(repo: Path) -> None:
    run("git", "switch", "-q", "-c", "feature", cwd=repo)
    shapes = repo / "geometry" / "shapes.py"
    shapes.write_text(shapes.read_text(encoding="utf-8") + SCALE, encoding="utf-8")
    (repo / "geometry" / "triangle.py").write_text(TRIANGLE, encoding="utf-8")
    run("git", "rm", "-q", "geometry/legacy.py", cwd=repo)
    run("git", "mv", "geometry/io.py", "geometry/storage.py", cwd=repo)
    run("git", "add", "-A", cwd=repo)
    run("git", "commit", "-q", "-m", "Add Triangle and scale(); drop pickle storage; rename io to storage", cwd=repo)
    print("\n== feature: the change under review")
    run("git", "diff", "--stat", "-M", "main...feature", cwd=repo)


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="docbot-demo-"))
    repo = workdir / "geometry-kit"
    build_repository(repo)
    make_feature_branch(repo)
    print("\n== docbot pr --base main --head feature\n")
    docbot("pr", "--repo", str(repo), "--base", "main", "--head", "feature", cwd=repo)
    print("\n== where the docs went: companion branch docbot/feature, one commit on top of feature")
    run("git", "log", "--oneline", "-2", "docbot/feature", cwd=repo)
    run("git", "diff", "--stat", "-M", "feature", "docbot/feature", cwd=repo)
    print("\n== a second run changes nothing")
    docbot("pr", "--repo", str(repo), "--base", "main", "--head", "feature", "--json", cwd=repo, quiet=True)
    run("git", "log", "--oneline", "-1", "docbot/feature", cwd=repo)
    print(f"\nThe demo repository is kept at {repo}")
    print(f"  git -C {repo} show docbot/feature --stat")
    return 0


if __name__ == "__main__":
    sys.exit(main())
