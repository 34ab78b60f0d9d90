"""The job runner adds what each job's GitHub client sent to the counters of /metrics, and a counter it
cannot write costs a warning, never the job."""

from __future__ import annotations

import logging

from test_stopped_jobs import KILLED, job_of, pull, settings_for  # noqa: F401 - pull is a fixture

from bot.app.redis_log import open_log
from bot.pr.runner import report_lost, run


def test_every_job_and_report_adds_its_github_requests_to_the_shared_counters(github, pull, tmp_path):  # noqa: F811
    settings = settings_for(github, tmp_path)
    github.reset_requests()
    github.fail_next("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", status=502)
    run(job_of(github, pull), settings)
    assert open_log(settings).counters() == {"github_requests": github.count(kind="api")}
    report_lost(job_of(github, pull), settings, KILLED)  # its check run is complete: a few reads, no write
    assert open_log(settings).counters() == {"github_requests": github.count(kind="api")}


def test_counters_that_cannot_be_written_cost_one_warning_not_the_job(github, pull, tmp_path, caplog):  # noqa: F811
    settings = settings_for(github, tmp_path)
    settings.delivery_log_path.mkdir(parents=True)  # SQLite cannot open a folder
    with caplog.at_level(logging.WARNING, logger="bot.pr.runner"):
        outcome = run(job_of(github, pull), settings)
    assert outcome == "8 page(s) stale, on docbot/pr-1"
    assert [r.getMessage() for r in caplog.records] == [
        "delivery d-stopped: GitHub requests not counted: OperationalError: unable to open database file"]
    assert [r["conclusion"] for r in github.check_runs] == ["action_required"]  # the pages wait on the branch
