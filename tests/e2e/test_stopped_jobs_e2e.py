"""A real PR job that never gets to report its own failure: killed past its time limit (deaf to the alarm),
or its process killed from outside in a real `docbot worker`. Its check run must not stay in progress."""

from __future__ import annotations

import json
import os
import signal
import threading
from pathlib import Path

import pytest
from apphost import stop_worker, wait_until

from bot.app.events import route
from bot.app.jobhost import JobHost
from bot.app.locks import job_lock
from bot.errors import JobTimedOut
from bot.github.client import GitHubApi
from bot.pr import runner as jobs

FILES = {"src/widgets/shapes.py": '"""Shapes."""\n', ".github/docbot.yml": "mode: branch\n"}
CHANGE = {"src/widgets/more.py": '"""More shapes."""\n'}


def open_pr(github) -> dict:
    github.create_repo("octo", "widgets", files=FILES)
    github.install("octo")
    return github.open_pull_request("octo", "widgets", head="feature", files=CHANGE)


def deaf_at(stage: str, marks: Path):
    """A PR job deaf to its time limit's alarm that stops for good at `stage` (stuck outside Python)."""
    def on_stage(name: str) -> None:
        if name == stage:
            marks.write_text(name)
            threading.Event().wait()

    def runner(job, settings):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        return jobs.run(job, settings, on_stage=on_stage)
    return runner


def test_a_pr_job_killed_past_its_time_limit_fails_its_check_run_instead_of_leaving_it_in_progress(
        github, docbot_app, tmp_path):
    pull = open_pr(github)
    _, body = github.webhook_payload("pull_request", "opened", pull, delivery_id="d-deaf")
    job = route("pull_request", json.loads(body), delivery_id="d-deaf")
    marks = tmp_path / "marks"
    host = JobHost(deaf_at("planned", marks), docbot_app.settings, reporter=jobs.report_lost, grace=1)
    try:
        with pytest.raises(JobTimedOut, match="^the job ran past its time limit of 1 s and was killed$"):
            host.run(job, 1)
    finally:
        host.close(kill=True)
    assert marks.read_text() == "planned"  # it was killed with its check run in progress
    [run] = github.check_runs
    assert (run["status"], run["conclusion"], run["output"]["title"]) == ("completed", "failure", "docbot was stopped")
    assert run["output"]["summary"].startswith(
        "docbot's job was stopped before it could finish: the job ran past its time limit of 1 s and was killed.")


def job_processes(worker: int) -> list[int]:
    """The worker's child processes (the job process of its one worker thread)."""
    children = []
    for task in Path(f"/proc/{worker}/task").iterdir():
        try:
            children += [int(pid) for pid in (task / "children").read_text().split()]
        except FileNotFoundError:  # a thread that just ended
            pass
    return children


def test_a_real_worker_fails_the_check_run_of_a_job_whose_process_died(github, docbot_app, tmp_path):
    pull = open_pr(github)
    [installation] = github.world.installations
    api = GitHubApi(github.api_url, github.installation_token(installation), 0, 0)
    api.create_check_run("octo/widgets", "docbot", pull["head"]["sha"], status="in_progress")  # an earlier run's
    docbot_app.deliver_events()
    log = tmp_path / "worker.log"
    with job_lock(docbot_app.settings, "octo/widgets#1"):  # the job waits for the PR's lock: mid-job
        worker = docbot_app.start_worker(log)
        try:
            wait_until(lambda: docbot_app.queue.log.counts().get("running") == 1 and job_processes(worker.pid),
                       "the worker to run the job")
            [child] = job_processes(worker.pid)
            os.kill(child, signal.SIGKILL)
            wait_until(lambda: github.check_runs[0]["status"] == "completed", "the check run to be completed")
        finally:
            stop_worker(worker, log)
    [run] = github.check_runs
    assert (run["conclusion"], run["output"]["title"]) == ("failure", "docbot was stopped")
    assert run["output"]["summary"].startswith(
        "docbot's job was stopped before it could finish: the job's process ended without an answer (exit -9).")
    assert "docbot retries a passing failure on its own" in run["output"]["summary"]
    assert "stopped job reported: the check run on" in log.read_text()
