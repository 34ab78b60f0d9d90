"""Scale-out on Redis: PR jobs per minute with 1, 2 and 4 `docbot worker` processes.

Each round starts one redis-server, the GitHub double, one `docbot serve` and N `docbot worker`
processes (one job thread each, data dirs of their own: Redis is all they share), opens the
PR-job mix on REPOSITORIES repositories (companion-branch, suggestions and commit modes, a few
files changed each), delivers the signed webhooks, and times from the workers' start (their
imports included) until every delivery is done. Throttling is off (the double is local; in
production PyGithub spaces writes >= 1 s apart, which adds about 4 s per job). On this
machine's two cores more than two workers cannot add CPU: the figures show what the queue and
the locks cost, not a cluster's capacity.
Prints its figures; asserts nothing.

Run: .venv/bin/python bench/scale.py [--repositories 24] [--workers 1 2 4]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # analyzers/ before tests/analyzers/
sys.path.append(str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.append(str(Path(__file__).resolve().parent.parent / "tests" / "support"))

from github_double import GitHubDouble  # noqa: E402
from redishost import redis_server_binary, start_redis  # noqa: E402
from scalehost import ScaledApp  # noqa: E402

MODES = ("branch", "suggestions", "commit")
TIMEOUT = 900.0  # seconds a round may take before it is given up


def files_of(mode: str) -> dict[str, str]:
    files = {"README.md": "# widgets\n\nSmall helpers.\n", ".github/docbot.yml": f"mode: {mode}\n"}
    for index in range(20):
        files[f"src/widgets/m{index}.py"] = f'"""Module {index}."""\n\n\ndef f{index}(x):\n    return x + {index}\n'
    return files


def change() -> dict[str, str]:
    return {f"src/widgets/m{index}.py": f'"""Module {index}, changed."""\n\n\ndef g{index}(x):\n'
                                        f'    """Twice."""\n    return 2 * x\n' for index in range(3)}


def one_round(workers: int, repositories: int, root: Path) -> tuple[int, float]:
    """(jobs done, seconds) for one round with `workers` worker processes."""
    redis, port = start_redis(redis_server_binary(), root)
    github = GitHubDouble.start(root / "github")
    app = None
    try:
        for index in range(repositories):
            github.create_repo("octo", f"r{index}", files=files_of(MODES[index % len(MODES)]))
        github.install("octo")
        app = ScaledApp(github, f"redis://127.0.0.1:{port}/0", root)
        for index in range(repositories):
            github.open_pull_request("octo", f"r{index}", head="feature", files=change())
        app.deliver_events()
        jobs = sum(app.log.counts().values())
        began = time.monotonic()
        for index in range(workers):
            app.worker(f"worker-{index}")
        while app.log.counts()["queued"] + app.log.counts()["running"]:
            if time.monotonic() - began > TIMEOUT:
                raise SystemExit(f"bench: round of {workers} workers not done after {TIMEOUT:.0f} s; see {root}")
            time.sleep(0.1)
        took = time.monotonic() - began
        failed = app.log.counts()["failed"]
        if failed:
            print(f"  ({failed} job(s) failed; see the worker logs under {root})")
        return jobs, took
    finally:
        if app is not None:
            app.stop()
        github.stop()
        redis.terminate()
        redis.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repositories", type=int, default=24, help="repositories, one PR each (default 24)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4], help="worker counts (default 1 2 4)")
    args = parser.parse_args()
    one, five, _ = os.getloadavg()
    print(f"PR-job mix on {args.repositories} repositories ({', '.join(MODES)} modes), one PR each; "
          f"{os.cpu_count()} CPUs, load average {one:.2f} / {five:.2f}")
    base = None
    for workers in args.workers:
        with tempfile.TemporaryDirectory(prefix=f"docbot-scale-{workers}-") as tmp:
            jobs, took = one_round(workers, args.repositories, Path(tmp))
        rate = jobs / took * 60
        base = base or rate
        print(f"{workers} worker(s): {jobs} jobs in {took:.1f} s = {rate:.1f} jobs/min ({rate / base:.2f}x one worker)")


if __name__ == "__main__":
    main()
