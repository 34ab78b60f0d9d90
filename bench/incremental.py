"""A 10-file change in generated repositories of 1,000 and 20,000 files (mirror already generated).

The same change (6 files modified, 2 added, 1 deleted, 1 renamed across folders) is made on a
branch of each repository, and two commands are timed on it:
- `docbot pr --base main --head feature`: the pull-request job (commit to commit), the path
  whose cost must grow with the change and the folder depth, not the repository;
- `docbot generate --base main` on the checked-out branch: the work-tree path, where git has
  to look at every tracked file to find what changed (shown for comparison).
The sizes take turns (as the tools do in bulk.py). Prints each median, and the ratio
20,000 / 1,000. Targets: ratio <= 1.3, under 1 s.
The trees go to a tmpfs when there is one (see `common.TMPFS`); `--dir /tmp` puts them on disk.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
from pathlib import Path

from common import DOCBOT, bench_parent, dir_option, git, init_repo, median_of, timed

RUNS = 7


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
    """`files` sources in a tree three folders deep, 20 files a folder."""
    paths = []
    for i in range(files):
        folder = f"pkg{i // 2000}/area{(i // 200) % 10}/part{(i // 20) % 10}"
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
        (repo / f"pkg0/area{n}/part0/added_{n}.py").write_text(module_text(10**6 + n), encoding="utf-8")
    (repo / paths[7]).unlink()
    (repo / "pkg0/area9/part9").mkdir(parents=True, exist_ok=True)
    git(repo, "mv", paths[8], "pkg0/area9/part9/renamed.py")
    git(repo, "switch", "-q", "-c", "feature")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "ten-file change")


def run_pr(repo: Path) -> float:
    subprocess.run(["git", "branch", "-q", "-D", "docbot/feature"], cwd=repo, capture_output=True)
    return timed([*DOCBOT, "pr", "--base", "main", "--head", "feature"], repo)


def pr_changed(repo: Path) -> int:
    return git(repo, "diff", "--name-only", "--no-renames", "feature", "docbot/feature").count("\n")


def run_generate(repo: Path) -> float:
    git(repo, "checkout", "-q", "HEAD", "--", "docs")
    git(repo, "clean", "-q", "-fd", "--", "docs")
    return timed([*DOCBOT, "generate", "--base", "main"], repo)


def generate_changed(repo: Path) -> int:
    return git(repo, "status", "--porcelain", "--untracked-files=all", "--", "docs").count("\n")


COMMANDS = {"docbot pr": (run_pr, pr_changed), "docbot generate --base": (run_generate, generate_changed)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("sizes", nargs="*", type=int, help="repository sizes (default: 1000 20000)")
    args = dir_option(parser).parse_args()
    parent = bench_parent(args.dir)
    sizes = args.sizes or [1000, 20000]
    print(f"trees in {parent}")
    times: dict[str, dict[int, float]] = {}
    with tempfile.TemporaryDirectory(prefix="docbot-incr-", dir=parent) as tmp:
        repos = {}
        for files in sizes:
            repos[files] = Path(tmp) / f"repo{files}"
            repos[files].mkdir()
            change_ten(repos[files], build(repos[files], files))
        for name, (run, changed) in COMMANDS.items():
            # The sizes take turns, so that a slow spell of a shared machine falls on all of them.
            runs: dict[int, list[float]] = {files: [] for files in sizes}
            for _ in range(RUNS):
                for files in sizes:
                    runs[files].append(run(repos[files]))
            times[name] = {files: median_of(r) for files, r in runs.items()}
            for files, r in runs.items():
                print(f"{files:>6} files, {name:<24}: {median_of(r):.3f} s median of {RUNS} "
                      f"({', '.join(f'{x:.3f}' for x in r)}); {changed(repos[files])} mirror files changed")
    small, large = min(sizes), max(sizes)
    for name, by_size in times.items():
        ratio = by_size[large] / by_size[small]
        print(f"{name:<24}: ratio {large} / {small} = {ratio:.2f} (target <= 1.3); "
              f"{by_size[large]:.3f} s at {large} files (target < 1 s)")


if __name__ == "__main__":
    main()
