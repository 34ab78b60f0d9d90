"""PR job end to end: time and GitHub API requests per job, for PRs of 1, 10 and 100 changed files in
repositories of 1,000 and 20,000 files, against the local GitHub double (real git over smart HTTP).

A job here is what the worker does for one `pull_request` delivery: token (cached), blobless fetch,
config, check run, engine, re-read of the head, push of the companion branch, companion PR, summary
comment, check run result. The webhook server and the queue are the real ones; the test harness runs
the queued task in this process, so the time is the job's alone. Throttling is off (the double is
local); in production PyGithub spaces writes >= 1 s apart, which adds about 4 s per job.

Targets: <= 8 API requests per job whatever the file count; time 20,000 files / 1,000 files <= 1.3.
Prints its figures; asserts nothing.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from apphost import RunningApp  # noqa: E402
from common import DOCBOT, git, init_repo, timed  # noqa: E402
from github_double import GitHubDouble  # noqa: E402

REPO_SIZES = (1_000, 20_000)
PR_SIZES = (1, 10, 100)
RUNS = 5  # PRs timed per (repository, PR size); the median is shown
FOLDER_SIZE = 50  # files per folder, the same in both repositories
CHANGE_STEP = 5  # a PR of 100 files touches 10 folders, whatever the repository's size


def source(index: int, version: int = 0) -> str:
    return f'"""Module {index}."""\n\n\ndef f{index}(x):\n    """Add {index} (v{version})."""\n    return x + {index}\n'


def path_of(index: int) -> str:
    return f"src/pkg{index // FOLDER_SIZE}/mod{index}.py"


def generated_tree(work: Path, size: int) -> None:
    """A work tree of `size` sources whose mirror docbot has generated and committed (steady state)."""
    for index in range(size):
        path = work / path_of(index)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source(index))
    (work / ".github").mkdir()
    (work / ".github" / "docbot.yml").write_text("mode: branch\n")
    init_repo(work)
    timed([*DOCBOT, "generate", "--all", "--jobs", str(os.cpu_count() or 1)], work)
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "docs: the generated mirror")


def make_repo(github: GitHubDouble, installation: int, work: Path, name: str, size: int) -> None:
    """The generated tree as `bench/<name>` on the double, pushed over smart HTTP like any clone."""
    generated_tree(work, size)
    github.create_repo("bench", name)
    url = github.git_url("bench", name, github.installation_token(installation))
    git(work, "push", "-q", "--force", url, "HEAD:refs/heads/main")


def run_pr(app: RunningApp, github: GitHubDouble, name: str, size: int, changed: int, run: int,
           *, add: bool = False) -> tuple[float, int]:
    """Open one PR editing (or adding next to) every 5th of the first files, the same PR in every
    repository; time its job."""
    indexes = range(0, CHANGE_STEP * changed, CHANGE_STEP)
    if add:
        files = {path_of(i).replace("/mod", f"/new{run}_"): source(i) for i in indexes}
    else:
        files = {path_of(i): source(i, run + 1) for i in indexes}
    github.world.events.clear()  # only this PR's delivery, not the echoes of earlier jobs
    github.open_pull_request("bench", name, head=f"pr-{changed}-{run}", files=files)
    app.deliver_events()
    github.reset_requests()
    start = time.perf_counter()
    outcomes = app.run_jobs()
    elapsed = time.perf_counter() - start
    if len(outcomes) != 1 or "docs current" in outcomes[0]:
        raise SystemExit(f"bench: unexpected job outcome {outcomes}")
    return elapsed, github.count(kind="api")


class Setup:
    """One double with one repository of `size` files, and the App serving it (its cache warmed)."""

    def __init__(self, root: Path, size: int):
        self.size = size
        self.github = GitHubDouble.start(root / f"github-{size}")
        self.app = RunningApp(self.github, root / f"docbot-{size}")
        make_repo(self.github, self.github.install("bench"), root / f"work-{size}", "big", size)
        self.cold, _ = run_pr(self.app, self.github, "big", size, 1, 99)

    def run(self, changed: int, run: int, add: bool = False) -> tuple[float, int]:
        return run_pr(self.app, self.github, "big", self.size, changed, run, add=add)

    def stop(self) -> None:
        self.app.stop()
        self.github.stop()


def measure(setups: list[Setup], sizes: tuple[int, ...], add: bool = False) -> dict[int, dict[int, tuple[float, int]]]:
    """Median time and most requests per (repository, PR size); sizes alternate so noise hits both."""
    samples: dict[int, dict[int, list[tuple[float, int]]]] = {s.size: {c: [] for c in sizes} for s in setups}
    for changed in sizes:
        for run in range(RUNS):
            for setup in setups:
                samples[setup.size][changed].append(setup.run(changed, run + (100 if add else 0), add))
    return {size: {c: (statistics.median(t for t, _ in runs), max(n for _, n in runs)) for c, runs in by.items()}
            for size, by in samples.items()}


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="docbot-bench-") as tmp:
        setups = [Setup(Path(tmp), size) for size in REPO_SIZES]
        try:
            table = measure(setups, PR_SIZES)
            added = measure(setups, (10,), add=True)
        finally:
            for setup in setups:
                setup.stop()
    for setup in setups:
        print(f"repository of {setup.size:>6,} files: first job on an empty cache {setup.cold:6.2f} s")
    print(f"\nmedian of {RUNS} jobs per cell\n")
    print(f"{'changed files':>13} | " + " | ".join(f"{s:>6,} files: time, API requests" for s in REPO_SIZES)
          + " | time ratio")
    small, big = REPO_SIZES
    for changed in PR_SIZES:
        cells = [f"{table[s][changed][0]:>12.3f} s, {table[s][changed][1]:>2} requests" for s in REPO_SIZES]
        ratio = table[big][changed][0] / table[small][changed][0]
        print(f"{changed:>13} | " + " | ".join(cells) + f" | {ratio:10.2f}")
    add_cells = [f"{added[s][10][0]:>12.3f} s, {added[s][10][1]:>2} requests" for s in REPO_SIZES]
    print(f"{'10 added':>13} | " + " | ".join(add_cells) + f" | {added[big][10][0] / added[small][10][0]:10.2f}"
          + "   (reference: new files rebuild every ancestor's sub.md, which lists the whole subtree)")
    worst = max(n for sizes in table.values() for _, n in sizes.values())
    ratios = [table[big][c][0] / table[small][c][0] for c in PR_SIZES]
    print()
    print(f"API requests per job, worst case: {worst} (target <= 8)")
    print(f"time ratio {big:,} / {small:,} files, worst case: {max(ratios):.2f} (target <= 1.3)")


if __name__ == "__main__":
    main()
