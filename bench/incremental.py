"""A 10-file change in generated repositories of 1,000 and 20,000 files (mirror already generated).

Prints the time of `docbot generate --base HEAD~1` for the same kind of change in both
repositories and their ratio. Targets: ratio <= 1.3, and under 1 s for the 10-file change.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from common import DOCBOT, git, init_repo, median_of, timed

RUNS = 5


def module_text(i: int) -> str:
    return (
        f'"""Module {i}: synthetic source for the incremental benchmark."""\n\n'
        f"import os\n\nLIMIT_{i} = {i}\n\n\n"
        f"class Widget{i}:\n    \"\"\"Widget number {i}.\"\"\"\n\n"
        f"    def size(self) -> int:\n        return LIMIT_{i}\n\n\n"
        f"def make_{i}(path: str) -> Widget{i}:\n    \"\"\"Build a widget.\"\"\"\n"
        f"    return Widget{i}() if os.path.exists(path) else None\n"
    )


def build(repo: Path, files: int) -> list[str]:
    """`files` sources in a tree four folders deep, about 20 files a folder."""
    paths = []
    for i in range(files):
        folder = f"pkg{i % 10}/area{(i // 10) % 10}/part{(i // 100) % 10}/unit{i // 1000}"
        path = f"{folder}/mod_{i}.py"
        (repo / folder).mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(module_text(i), encoding="utf-8")
        paths.append(path)
    init_repo(repo)
    timed([*DOCBOT, "generate", "--all", "--jobs", str(os.cpu_count() or 1)], repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "docs")
    return paths


def change_ten(repo: Path, paths: list[str]) -> None:
    """6 modified, 2 added, 1 deleted, 1 renamed across folders; committed."""
    for path in paths[1:7]:
        with open(repo / path, "a", encoding="utf-8") as handle:
            handle.write("\n\ndef extra() -> int:\n    return 1\n")
    for n in range(2):
        (repo / f"pkg{n}/area0/part0/unit0/added_{n}.py").write_text(module_text(10**6 + n), encoding="utf-8")
    (repo / paths[7]).unlink()
    (repo / "pkg9/area9/part9/unit0").mkdir(parents=True, exist_ok=True)
    git(repo, "mv", paths[8], "pkg9/area9/part9/unit0/renamed.py")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "ten-file change")


def measure(files: int, tmp: Path) -> float:
    repo = tmp / f"repo{files}"
    repo.mkdir()
    paths = build(repo, files)
    change_ten(repo, paths)
    runs = []
    for _ in range(RUNS):
        git(repo, "checkout", "-q", "HEAD", "--", "docs")
        git(repo, "clean", "-q", "-fd", "--", "docs")
        runs.append(timed([*DOCBOT, "generate", "--base", "HEAD~1"], repo))
    written = git(repo, "status", "--porcelain", "--", "docs").count("\n")
    print(f"{files:>6} files: {median_of(runs):.3f} s (median of {RUNS}; runs "
          f"{', '.join(f'{r:.3f}' for r in runs)}), {written} mirror files changed")
    return median_of(runs)


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 20000]
    with tempfile.TemporaryDirectory(prefix="docbot-incr-") as tmp:
        times = {n: measure(n, Path(tmp)) for n in sizes}
    small, large = times[min(sizes)], times[max(sizes)]
    print(f"ratio {max(sizes)} / {min(sizes)}: {large / small:.2f} (target <= 1.3); "
          f"10-file change at {max(sizes)} files: {large:.3f} s (target < 1 s)")


if __name__ == "__main__":
    main()
