"""Webhook ack latency of `docbot serve`'s production form under a steady load of signed deliveries.

What it runs, all on 127.0.0.1:
1. the baseline: a trivial WSGI app (`baseline_app` below) that reads the body and answers 202,
   verifying and recording nothing, under the same gunicorn settings: what HTTP, gunicorn and
   the client cost on their own;
2. docbot: `gunicorn bot.wsgi:app`, the SQLite queue and delivery log in a fresh temporary
   DOCBOT_DATA_DIR, no queue consumer (deliveries stay queued, so the queue depth counts them).

Each server is started on a free port (gunicorn binds port 0 and logs the one it got), and the
load starts once /healthz answers (bounded poll). The load comes from a second process (this
script with --client): real pull_request payloads (opened and synchronize fixtures, ~28 KB), each
with a fresh X-GitHub-Delivery GUID and X-Hub-Signature-256 computed as GitHub does (HMAC-SHA256 of
the raw body with the webhook secret), sent open-loop on a fixed schedule (delivery i is due at
start + i / rate) from a few threads over keep-alive connections. Latency is measured from the
scheduled send time to the end of the answer, so a request that waits for a free connection
counts that wait (no coordinated omission). Each request has a 10 s timeout (GitHub's own limit);
the load is bounded in count (rate x seconds) and time, and stops by itself.

Printed for both servers: sent, answered 202, errors by status, p50/p90/p99/max ack latency,
achieved rate; for docbot also the deliveries recorded in the delivery log vs sent (read from
SQLite), any 202 whose delivery is missing from the log, and the queue depth from /healthz; and
the ratio docbot / baseline. Target: docbot p99 <= 25 ms, none lost (recorded == sent).

gunicorn settings, the default `--workers 2 --threads 4 --preload` (gthread workers): one process
per core, so the Python work of two requests runs in parallel; four threads in each, so requests
waiting on an fsync or on SQLite's write lock (both release the GIL) do not hold up the others;
keep-alive connections, which sync workers close after every answer; and no more processes than
cores, each one more writer contending for the SQLite files. Measured on 2 CPUs, two 15 s runs
each, with other work on the machine: gthread 2x4 p99 8.9 / 10.6 ms, 4x2 8.0 / 16.2 ms, 1x8
7.7 / 63 ms; sync workers (`--threads 1`) 3: 8.9 / 99 ms, 5: 81 / 892 ms, a slow commit stalling
a whole process. `--preload` builds the app once in the master (see `gunicorn_command`).

3. unless --no-busy-worker: docbot again, twice, now with a `docbot worker` (run_worker with one,
   then two threads; its job processes run at SCHED_IDLE, as they always do) consuming the
   deliveries beside the server, each job a second or so of real docbot CPU work (analysing
   bot/'s own Python sources), so one or both cores are busy for the whole run: does a busy
   worker slow the webhook?

Run: .venv/bin/python bench/webhook.py [--rate 200] [--seconds 30] [--workers 2] [--threads 4] [--no-busy-worker]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PAYLOADS = [REPO / "tests" / "fixtures" / "webhooks" / "pull_request" / f"{name}.payload.json"
            for name in ("opened", "synchronize")]
SECRET = "bench-webhook-secret"
REQUEST_TIMEOUT = 10.0  # seconds: GitHub counts a delivery as failed after 10 s
START_TIMEOUT = 30.0  # seconds for gunicorn to listen and /healthz to answer
TARGET_P99_MS = 25.0


def baseline_app(environ, start_response):
    """The baseline: read the whole body, answer 202 with a small JSON; no verification, no record."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    environ["wsgi.input"].read(length)
    body = b'{"status":"queued"}'
    start_response("202 Accepted", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def github_signature(secret: bytes, body: bytes) -> str:
    """X-Hub-Signature-256 as GitHub computes it (written here, not imported from bot/)."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


# ---------------------------------------------------------------- the client (second process)


def client_main(port: int, rate: float, seconds: float, connections: int) -> None:
    """Send rate x seconds signed deliveries on schedule; print one JSON line of raw results."""
    bodies = [path.read_bytes() for path in PAYLOADS]
    signed = [(body, github_signature(SECRET.encode(), body)) for body in bodies]
    total = int(rate * seconds)
    lock = threading.Lock()
    claimed = iter(range(total))
    results: list[tuple[int, float, float, str, str]] = []  # (index, latency, lag, outcome, delivery)
    start = time.perf_counter() + 0.2  # every thread is up before the first delivery is due
    deadline = start + seconds + 3 * REQUEST_TIMEOUT

    def sender() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        mine = []
        while True:
            with lock:
                index = next(claimed, None)
            if index is None:
                break
            due = start + index / rate
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            began = time.perf_counter()
            if began > deadline:
                break
            body, signature = signed[index % len(signed)]
            delivery = str(uuid.uuid4())
            headers = {
                "X-GitHub-Event": "pull_request",
                "X-GitHub-Delivery": delivery,
                "X-GitHub-Hook-ID": "1",
                "X-Hub-Signature-256": signature,
                "Content-Type": "application/json",
                "User-Agent": "GitHub-Hookshot/bench",
            }
            try:
                conn.request("POST", "/webhook", body=body, headers=headers)
                response = conn.getresponse()
                answer = response.read()
                outcome = str(response.status)
                if response.status == 202:
                    outcome += ":" + str(json.loads(answer).get("status"))
            except (OSError, http.client.HTTPException, ValueError) as exc:
                outcome = type(exc).__name__
                conn.close()  # the next request opens a fresh connection
            ended = time.perf_counter()
            mine.append((index, ended - due, began - due, outcome, delivery))
        conn.close()
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=sender, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline + REQUEST_TIMEOUT - time.perf_counter()))
    with lock:
        done = sorted(results)
    last_end = max((start + i / rate + latency for i, latency, *_ in done), default=start)
    print(json.dumps({
        "planned": total,
        "sent": len(done),
        "elapsed": last_end - start,
        "latencies": [latency for _, latency, *_ in done],
        "lags": [lag for _, _, lag, *_ in done],
        "outcomes": [outcome for *_, outcome, _ in done],
        "deliveries": [delivery for *_, delivery in done],
    }))


# ---------------------------------------------------------------- the busy worker (third process)


def busy_job(job, settings) -> str:
    """About a second of real docbot CPU work: analyse bot/'s Python sources (what a PR job spends on)."""
    from analyzers import analyze_source

    sources = sorted((REPO / "bot").rglob("*.py"))
    began, files = time.perf_counter(), 0
    while time.perf_counter() - began < 1.0:
        for path in sources:
            analyze_source(str(path.relative_to(REPO)), path.read_bytes())
            files += 1
    return f"analysed {files} files"


def worker_main() -> None:
    sys.path.insert(0, str(REPO))
    from bot.app.queue import run_worker
    from bot.app.settings import Settings

    run_worker(Settings.from_env(), workers=int(os.environ.get("BENCH_BUSY_THREADS", "1")), runner=busy_job)


# ---------------------------------------------------------------- the servers


def gunicorn_command(app: str, workers: int, threads: int) -> list[str]:
    """gunicorn on a free loopback port; gthread workers when threads > 1, sync workers otherwise.

    --preload imports the app once in the master and forks ready workers: none of them is
    still importing Flask when the load starts, and a missing secret stops the master at once.
    The app holds no connection across the fork: the delivery log and Huey close the ones
    they used to create their tables, and the log opens its connections per process.
    """
    command = [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", "--workers", str(workers),
               "--preload", "--log-level", "info"]
    if threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(threads)]
    else:
        command += ["--worker-class", "sync"]
    return [*command, app]


class Server:
    """A gunicorn process, its port (read from its log) and its log file."""

    def __init__(self, command: list[str], env: dict[str, str], cwd: Path, log: Path) -> None:
        self.log = log
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        self.port = 0

    def wait_ready(self, workers: int, healthy: int = 200) -> None:
        """Bounded poll: the port gunicorn logged, every worker booted, then /healthz answering.

        `healthy` is the status that means up: 200 for docbot, 202 for the baseline (which
        answers 202 on every path).
        """
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            text = self.log.read_text(errors="replace")
            if self.proc.poll() is not None:
                raise SystemExit(f"bench: gunicorn exited ({self.proc.returncode}):\n{text[-2000:]}")
            listening = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", text)
            if listening and text.count("Booting worker") >= workers:
                self.port = int(listening.group(1))
                try:
                    status, _ = get(self.port, "/healthz")
                except OSError:
                    status = 0
                if status == healthy:
                    return
            time.sleep(0.05)
        self.stop()
        raise SystemExit(f"bench: gunicorn not ready after {START_TIMEOUT:.0f} s:\n{self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def run_load(port: int, args: argparse.Namespace) -> dict:
    """The client in a second process; its JSON results."""
    command = [sys.executable, __file__, "--client", str(port), "--rate", str(args.rate),
               "--seconds", str(args.seconds), "--connections", str(args.connections)]
    done = subprocess.run(command, capture_output=True, text=True,
                          timeout=args.seconds + 5 * REQUEST_TIMEOUT + 30)
    if done.returncode != 0:
        raise SystemExit(f"bench: the client failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)


def clean_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "DOCBOT_"))}
    return env | {"GITHUB_WEBHOOK_SECRET": SECRET, "DOCBOT_DATA_DIR": str(data_dir)}


# ---------------------------------------------------------------- figures


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not values:
        return float("nan")
    rank = max(1, -(-len(values) * fraction // 1))
    return values[int(rank) - 1]


def summarize(name: str, result: dict) -> dict[str, float]:
    latencies = sorted(result["latencies"])
    outcomes = Counter(result["outcomes"])
    accepted = sum(n for outcome, n in outcomes.items() if outcome.startswith("202"))
    errors = {outcome: n for outcome, n in outcomes.items() if not outcome.startswith("202")}
    bodies = {outcome.split(":", 1)[1]: n for outcome, n in outcomes.items() if outcome.startswith("202:")}
    figures = {q: percentile(latencies, f) * 1000 for q, f in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99))}
    figures["max"] = latencies[-1] * 1000 if latencies else float("nan")
    lags = sorted(result["lags"])
    rate = result["sent"] / result["elapsed"] if result["elapsed"] > 0 else float("nan")
    print(f"{name}:")
    print(f"  sent {result['sent']} of {result['planned']} planned, answered 202: {accepted}"
          f" ({', '.join(f'{k} {v}' for k, v in sorted(bodies.items())) or 'no body status'})")
    print(f"  errors by status: {', '.join(f'{k}: {v}' for k, v in sorted(errors.items())) or 'none'}")
    print(f"  ack latency from scheduled send: p50 {figures['p50']:.2f} ms, p90 {figures['p90']:.2f} ms, "
          f"p99 {figures['p99']:.2f} ms, max {figures['max']:.2f} ms")
    print(f"  achieved rate: {rate:.1f} deliveries/s over {result['elapsed']:.2f} s; "
          f"client send lag p99 {percentile(lags, 0.99) * 1000:.2f} ms, max {lags[-1] * 1000 if lags else 0:.2f} ms")
    return figures


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


def recorded_deliveries(data_dir: Path) -> dict[str, str]:
    """delivery id -> status, read straight from the delivery log's SQLite file."""
    conn = sqlite3.connect(f"file:{data_dir / 'deliveries.sqlite3'}?mode=ro", uri=True)
    try:
        return dict(conn.execute("select delivery_id, status from deliveries"))
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200.0, help="deliveries per second (default 200)")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the load (default 30)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=4,
                        help="threads per worker: > 1 gthread workers, 1 sync workers (default 4)")
    parser.add_argument("--connections", type=int, default=8, help="client keep-alive connections (default 8)")
    parser.add_argument("--no-busy-worker", dest="busy_worker", action="store_false",
                        help="skip the third run, with a busy worker beside the server")
    parser.add_argument("--client", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        client_main(args.client, args.rate, args.seconds, args.connections)
        return
    if args.worker:
        worker_main()
        return
    if args.rate <= 0 or args.seconds <= 0 or args.workers < 1 or args.threads < 1 or args.connections < 1:
        parser.error("--rate, --seconds, --workers, --threads and --connections must be positive")

    kind = f"gthread, {args.threads} threads each" if args.threads > 1 else "sync"
    sizes = "/".join(f"{path.stat().st_size / 1024:.1f}" for path in PAYLOADS)
    print(f"load: {args.rate:g} signed pull_request deliveries/s for {args.seconds:g} s "
          f"({int(args.rate * args.seconds)} in all), payloads {sizes} KB, {args.connections} keep-alive "
          f"connections from a second process; {os.cpu_count()} CPUs, {load_average()}")
    print(f"gunicorn: {args.workers} workers ({kind}), --preload, 127.0.0.1")
    with tempfile.TemporaryDirectory(prefix="docbot-webhook-bench-") as tmp:
        tmp_path = Path(tmp)

        baseline = Server(gunicorn_command("webhook:baseline_app", args.workers, args.threads),
                          clean_env(tmp_path / "unused"), Path(__file__).resolve().parent,
                          tmp_path / "baseline.log")
        try:
            baseline.wait_ready(args.workers, healthy=202)
            base = summarize("baseline (trivial WSGI app: reads the body, answers 202)", run_load(baseline.port, args))
        finally:
            baseline.stop()

        ours = run_docbot(args, tmp_path / "quiet", "docbot (bot.wsgi:app: verify, record, enqueue, 202)", base)
        for threads in (1, 2) if args.busy_worker else ():
            busy = run_docbot(args, tmp_path / f"busy-{threads}", f"docbot with a busy worker beside it "
                              f"(docbot worker --workers {threads}: {threads} job process(es) always busy)", base,
                              busy_threads=threads)
            print(f"  busy worker / quiet: p50 {busy['p50'] / ours['p50']:.2f}x, p99 {busy['p99'] / ours['p99']:.2f}x")
        print(f"machine after the runs: {load_average()} (other processes on these CPUs skew every figure)")


def run_docbot(args: argparse.Namespace, tmp_path: Path, title: str, base: dict[str, float], *,
               busy_threads: int = 0) -> dict[str, float]:
    """One load on `gunicorn bot.wsgi:app`, optionally with a worker consuming the deliveries; its figures."""
    data_dir = tmp_path / "data"
    tmp_path.mkdir(parents=True)
    server = Server(gunicorn_command("bot.wsgi:app", args.workers, args.threads),
                    clean_env(data_dir), REPO, tmp_path / "docbot.log")
    worker = None
    try:
        server.wait_ready(args.workers)
        if busy_threads:
            env = clean_env(data_dir) | {"BENCH_BUSY_THREADS": str(busy_threads)}
            with open(tmp_path / "worker.log", "wb") as out:
                worker = subprocess.Popen([sys.executable, __file__, "--worker"], cwd=REPO, env=env,
                                          stdout=out, stderr=subprocess.STDOUT)
        result = run_load(server.port, args)
        ours = summarize(title, result)
        status, health = get(server.port, "/healthz")
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        server.stop()

    recorded = recorded_deliveries(data_dir)
    sent = set(result["deliveries"])
    acked = {d for d, o in zip(result["deliveries"], result["outcomes"], strict=True) if o.startswith("202")}
    ours_recorded = len(sent & recorded.keys())
    health_text = json.loads(health) if status == 200 else health.decode(errors="replace")
    depth = health_text.get("queue_depth") if isinstance(health_text, dict) else None
    print(f"  deliveries recorded in the delivery log: {ours_recorded} of {len(sent)} sent "
          f"({', '.join(f'{k} {v}' for k, v in sorted(Counter(recorded.values()).items()))}); "
          f"answered 202 but not recorded: {len(acked - recorded.keys())}")
    consumer = "a busy worker consuming" if busy_threads else "no consumer running"
    print(f"  /healthz after the load: {status}, queue depth {depth} ({consumer})")
    lost = len(sent) - ours_recorded
    print(f"  ratio to the baseline: p50 {ours['p50'] / base['p50']:.2f}x, p99 {ours['p99'] / base['p99']:.2f}x")
    verdict = "met" if ours["p99"] <= TARGET_P99_MS and lost == 0 and len(sent) == result["planned"] else "MISSED"
    print(f"  target p99 <= {TARGET_P99_MS:g} ms and none lost: {verdict} "
          f"(p99 {ours['p99']:.2f} ms, lost {lost}, {result['planned'] - len(sent)} never sent)")
    tail = [line for line in server.log.read_text(errors="replace").splitlines()
            if "ERROR" in line or "Traceback" in line]
    if tail:
        print(f"  server log: {len(tail)} error lines, first: {tail[0]}")
    return ours


if __name__ == "__main__":
    main()
