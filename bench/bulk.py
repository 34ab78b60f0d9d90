"""Full generation over CPython's standard library, against Universal Ctags on the same tree.

Copies every .py file of the running interpreter's stdlib (site-packages left out) into a
fresh git repository (`--corpus cpp`: the C/C++ headers of `/usr/include/c++/*/bits` and
`/usr/include/python3*`, as `bench/cpp_recall.py` reads them, `.tcc` files given to ctags as C++),
runs `ctags -R` and `docbot generate --all` over it in the same run,
and prints wall times (median of five runs each, the tools taking turns; every docbot run is
a first generation), files per second, peak RSS and the ratio. Target: docbot <= 4x ctags.
For C/C++ it also prints the floor under any docbot run on this machine: the start-up every
`generate` pays (interpreter and imports) plus the bare tree-sitter parse of every file spread
over the cores, with nothing analyzed, rendered or written.
The tree goes to a tmpfs when there is one (see `common.TMPFS`); `--dir /tmp` puts it on disk.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from common import DOCBOT, GIT_ENV, bench_parent, dir_option, git, init_repo, median_of, peak_child_rss_mb, timed

RUNS = 5

# The bare tree-sitter parse, in a fresh interpreter: CPU seconds for every file named on stdin.
_PARSE_ONLY = """
import sys, time, tree_sitter, tree_sitter_cpp
parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_cpp.language()))
data = [open(p, "rb").read() for p in sys.stdin.read().split("\\n") if p]
start = time.process_time()
for source in data:
    parser.parse(source)
print(time.process_time() - start)
"""


def copy_stdlib(target: Path) -> tuple[int, int]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    count = size = 0
    for path in sorted(stdlib.rglob("*.py")):
        rel = path.relative_to(stdlib)
        if rel.parts[0] in ("site-packages", "dist-packages") or "__pycache__" in rel.parts:
            continue
        dest = target / "Lib" / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
        count += 1
        size += dest.stat().st_size
    return count, size


def copy_headers(target: Path) -> tuple[int, int]:
    """The libstdc++ `bits` and CPython headers, under include/<their folder>/."""
    count = size = 0
    for root in sorted(glob.glob("/usr/include/c++/*/bits")) + sorted(glob.glob("/usr/include/python3*")):
        base = Path(root)
        for path in sorted(base.rglob("*")):
            if not path.is_file() or path.suffix not in (".h", ".tcc"):
                continue
            dest = target / "include" / base.relative_to("/usr/include") / path.relative_to(base)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
            count += 1
            size += dest.stat().st_size
    return count, size


# corpus -> (copy function, folder ctags reads, extra ctags options, what the tree is)
CORPORA = {
    "python": (copy_stdlib, "Lib", [], ".py files", "CPython stdlib Lib/, site-packages left out"),
    "cpp": (copy_headers, "include", ["--langmap=C++:+.tcc"], "C/C++ headers", "libstdc++ bits/ and CPython"),
}


def floor(repo: Path, folder: str, cores: int) -> tuple[float, float, float]:
    """(start-up s, bare tree-sitter parse CPU s on one core, the wall time no run can beat) on this machine."""
    startup = median_of([timed([sys.executable, "-c", "import bot.local.generate"], repo) for _ in range(RUNS)])
    files = "\n".join(str(p) for p in sorted((repo / folder).rglob("*")) if p.is_file())
    parse = [float(subprocess.run([sys.executable, "-c", _PARSE_ONLY], input=files, env=GIT_ENV, text=True,
                                  capture_output=True, check=True).stdout) for _ in range(3)]
    return startup, median_of(parse), startup + median_of(parse) / cores


def main() -> None:
    parser = dir_option(argparse.ArgumentParser(description=__doc__.split("\n", 1)[0]))
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="python", help="tree to time (default: python)")
    args = parser.parse_args()
    copy, folder, ctags_options, what, origin = CORPORA[args.corpus]
    parent = bench_parent(args.dir)
    if not shutil.which("ctags"):
        raise SystemExit("bench: Universal Ctags is needed (Debian package universal-ctags)")
    with tempfile.TemporaryDirectory(prefix="docbot-bulk-", dir=parent) as tmp:
        repo = Path(tmp) / args.corpus
        repo.mkdir()
        count, size = copy(repo)
        init_repo(repo)
        print(f"tree: {count} {what}, {size / 1e6:.1f} MB ({origin})")
        print(f"in: {parent}")
        # Each docbot run is a first generation in a clone of its own, made before any timing:
        # removing a mirror between runs would leave the next one creating its pages while the
        # disk still frees the old ones.
        clones = [Path(tmp) / f"clone{n}" for n in range(RUNS)]
        for clone in clones:
            git(Path(tmp), "clone", "-q", str(repo), str(clone))
        # The two tools take turns, so that a slow spell of a shared machine falls on both.
        ctags_runs, docbot_runs = [], []
        jobs = str(os.cpu_count() or 1)
        for clone in clones:
            ctags_runs.append(timed(["ctags", "-R", *ctags_options, "-f", os.path.join(tmp, "tags"), folder], repo))
            if len(ctags_runs) == 1:
                ctags_rss = peak_child_rss_mb()  # the largest child so far: before any docbot run
            docbot_runs.append(timed([*DOCBOT, "generate", "--all", "--jobs", jobs], clone))
        ctags, docbot = median_of(ctags_runs), median_of(docbot_runs)
        docbot_rss = peak_child_rss_mb()
        pages = int(git(clones[-1], "ls-files", "--others", "--", "docs").count("\n"))
        again = timed([*DOCBOT, "generate", "--all"], clones[-1])
        print(f"ctags -R                : {ctags:7.2f} s  ({count / ctags:8.0f} files/s)  "
              f"median of {RUNS}, peak RSS {ctags_rss:.0f} MB")
        print(f"docbot generate --all   : {docbot:7.2f} s  ({count / docbot:8.0f} files/s)  median of {RUNS}, "
              f"{pages} pages, peak RSS {docbot_rss:.0f} MB (largest process)")
        runs = ", ".join(f"{r:.2f}" for r in ctags_runs), ", ".join(f"{r:.2f}" for r in docbot_runs)
        print(f"  runs: ctags {runs[0]}; docbot {runs[1]}")
        print(f"docbot second run       : {again:7.2f} s  (nothing to write)")
        print(f"ratio docbot / ctags    : {docbot / ctags:7.2f}x  (target <= 4x)")
        if args.corpus == "cpp":  # Python has no such floor: docbot parses it skimmed (bodies blanked)
            startup, parse, least = floor(repo, folder, int(jobs))
            print(f"floor on this machine   : {least:7.2f} s  = {least / ctags:.2f}x ctags: start-up {startup:.2f} s "
                  f"+ bare tree-sitter-cpp parse {parse:.2f} s CPU / {jobs} cores; nothing analyzed or written")


if __name__ == "__main__":
    main()
