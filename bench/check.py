"""`docbot check` (the whole mirror from its records) against `docbot generate --check --all` (the whole
mirror re-analyzed), on generated repositories of 1,000 and 20,000 files with their mirror committed.

Both commands answer the same question: is any page stale? Each is timed as the median of five runs,
both on the same repository in the same run, after one page was edited by hand (both must find it).
`check` remembers under .git/docbot/ what it verified (the last answer by a digest of the state, and
each page's record by its blob id): its first run, cold, is timed apart, with those caches removed.
Prints the times, `check`'s ratio 20,000 / 1,000, and how many times faster `check` is.
Targets: `check` under 1 s at 20,000 files, and at least 20x faster than `generate --check --all`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
from pathlib import Path

from common import DOCBOT, bench_parent, dir_option, median_of
from incremental import build

RUNS = 5


def timed_stale(cmd: list[str], repo: Path) -> float:
    """Seconds of one run that must report the mirror stale (exit 1)."""
    import time

    subprocess.run(["sync"], check=False)
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=repo, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 1:
        raise SystemExit(f"{' '.join(cmd)}: expected exit 1 (stale), got {done.returncode}: {done.stderr[-500:]}")
    return elapsed


def main() -> None:
    parser = dir_option(argparse.ArgumentParser(description=__doc__))
    parser.add_argument("sizes", nargs="*", type=int, help="repository sizes (default: 1000 20000)")
    args = parser.parse_args()
    sizes = args.sizes or [1000, 20000]
    jobs = str(os.cpu_count() or 1)
    with tempfile.TemporaryDirectory(dir=bench_parent(args.dir)) as tmp:
        repos = {}
        for size in sizes:
            repo = Path(tmp) / f"repo{size}"
            repo.mkdir()
            paths = build(repo, size)
            page = repo / "docs" / f"{paths[3]}_docs.md"
            page.write_text(page.read_text().replace("Widget number", "Widget no."))  # a hand edit
            repos[size] = repo
        check, full = {s: [] for s in sizes}, {s: [] for s in sizes}
        cold = {}
        for size, repo in repos.items():
            subprocess.run(["rm", "-rf", str(repo / ".git" / "docbot")], check=True)
            cold[size] = timed_stale([*DOCBOT, "check"], repo)
        for _ in range(RUNS):  # the sizes and the commands take turns: a slow spell falls on all
            for size, repo in repos.items():
                check[size].append(timed_stale([*DOCBOT, "check"], repo))
                full[size].append(timed_stale([*DOCBOT, "generate", "--check", "--all", "--jobs", jobs], repo))
        print(f"trees in {tmp}")
        for size in sizes:
            c, f = median_of(check[size]), median_of(full[size])
            print(f"{size:>6} files: docbot check {c:.3f} s, generate --check --all {f:.3f} s: "
                  f"check is {f / c:.1f}x faster (target >= 20x)")
            print(f"        cold first check (no cache): {cold[size]:.3f} s, {f / cold[size]:.1f}x faster")
            print(f"        runs: check {', '.join(f'{x:.3f}' for x in check[size])}; "
                  f"--check --all {', '.join(f'{x:.2f}' for x in full[size])}")
        if len(sizes) > 1:
            small, large = sizes[0], sizes[-1]
            ratio = median_of(check[large]) / median_of(check[small])
            print(f"docbot check: ratio {large} / {small} = {ratio:.2f}; {median_of(check[large]):.3f} s at {large} "
                  f"files (target < 1 s)")


if __name__ == "__main__":
    main()
