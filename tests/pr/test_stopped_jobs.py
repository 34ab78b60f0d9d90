"""report_lost, the reporter of a job killed past its time limit or whose process died, against the GitHub
double: it fails the docbot check run the job left in progress, and touches nothing else."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from bot.app.events import Job, route
from bot.app.jobhost import JobProcessDied
from bot.app.settings import Settings
from bot.errors import JobTimedOut
from bot.github.client import GitHubApi
from bot.github.records import CheckOutput
from bot.pr.runner import report_lost

KILLED = JobTimedOut("the job ran past its time limit of 600 s and was killed")
DIED = JobProcessDied("the job's process ended without an answer (exit -9)")


@pytest.fixture
def pull(github):
    github.create_repo("octo", "widgets", files={"src/shapes.py": '"""Shapes."""\n'})
    github.install("octo")
    return github.open_pull_request("octo", "widgets", head="feature", files={"src/more.py": '"""More."""\n'})


def settings_for(github, tmp_path) -> Settings:
    return Settings(app_id=str(github.app_id), private_key=github.private_key_pem, api_url=github.api_url,
                    data_dir=tmp_path / "data", bot_login=github.bot_login, seconds_between_requests=0,
                    seconds_between_writes=0)


def job_of(github, pull) -> Job:
    _, body = github.webhook_payload("pull_request", "opened", pull, delivery_id="d-stopped")
    return route("pull_request", json.loads(body), delivery_id="d-stopped")


def our_api(github) -> GitHubApi:
    [installation] = github.world.installations
    return GitHubApi(github.api_url, github.installation_token(installation), 0, 0)


@pytest.mark.parametrize(("stopped", "summary"), [
    (KILLED, "docbot's job was stopped before it could finish: the job ran past its time limit of 600 s and was "
             "killed.\n\nA retry cannot mend this, so docbot does not try again: fix the cause, then push again or "
             "comment `/docs regenerate`."),
    (DIED, "docbot's job was stopped before it could finish: the job's process ended without an answer (exit -9)."
           "\n\ndocbot retries a passing failure on its own; the App's operators can find delivery `d-stopped` in "
           "the worker log."),
])
def test_the_check_run_a_stopped_job_left_in_progress_fails_with_what_comes_next(github, pull, tmp_path, stopped,
                                                                                summary):
    our_api(github).create_check_run("octo/widgets", "docbot", pull["head"]["sha"], status="in_progress")
    outcome = report_lost(job_of(github, pull), settings_for(github, tmp_path), stopped)
    assert outcome == f"the check run on {pull['head']['sha'][:12]} says the job was stopped"
    [run] = github.check_runs
    assert (run["status"], run["conclusion"], run["output"]["title"]) == ("completed", "failure", "docbot was stopped")
    assert run["output"]["summary"] == summary


def test_a_process_that_died_on_the_last_attempt_promises_no_retry(github, pull, tmp_path):
    our_api(github).create_check_run("octo/widgets", "docbot", pull["head"]["sha"], status="in_progress")
    report_lost(replace(job_of(github, pull), last_attempt=True), settings_for(github, tmp_path), DIED)
    [run] = github.check_runs
    assert run["output"]["summary"].endswith(
        "\n\nComment `/docs regenerate` to try again; the App's operators can find delivery `d-stopped` in the "
        "worker log.")


def test_a_commands_job_finds_the_head_through_the_pull_request(github, pull, tmp_path):
    our_api(github).create_check_run("octo/widgets", "docbot", pull["head"]["sha"], status="in_progress")
    command = replace(job_of(github, pull), kind="command", head_sha=None, head_ref=None)
    report_lost(command, settings_for(github, tmp_path), KILLED)
    assert [run["conclusion"] for run in github.check_runs] == ["failure"]


def test_without_a_check_run_none_is_made(github, pull, tmp_path):
    github.reset_requests()
    assert report_lost(job_of(github, pull), settings_for(github, tmp_path), KILLED) == (
        "no check run in progress to complete")
    assert github.check_runs == []
    assert github.count("POST") == github.count("PATCH") == 0


def test_a_completed_check_run_is_left_as_it_is(github, pull, tmp_path):
    api = our_api(github)
    made = api.create_check_run("octo/widgets", "docbot", pull["head"]["sha"], status="in_progress")
    api.update_check_run("octo/widgets", made.id, status="completed", conclusion="success",
                         output=CheckOutput("Docs are current", "All pages are current."))
    before = github.check_runs
    github.reset_requests()
    report_lost(job_of(github, pull), settings_for(github, tmp_path), KILLED)
    assert github.check_runs == before
    assert github.count("PATCH") == 0


def test_jobs_that_keep_no_check_run_ask_github_nothing(github, pull, tmp_path):
    our_api(github).create_check_run("octo/widgets", "docbot", pull["head"]["sha"], status="in_progress")
    push = replace(job_of(github, pull), kind="push_sync", pr_number=None)  # its sha may be a PR's head too
    github.reset_requests()
    assert report_lost(push, settings_for(github, tmp_path), KILLED) == "push_sync jobs keep no check run"
    assert github.requests == [] and github.check_runs[0]["status"] == "in_progress"

