"""The double sends the lifecycle events as GitHub shapes them; the real server records each as the job it is."""

from __future__ import annotations

import json

import pytest

from bot.app.events import Ignored, route

FILES = {"README.md": "# widgets\n", "src/widgets/shapes.py": '"""Shapes."""\n', ".github/docbot.yml": "mode: branch\n"}


@pytest.fixture
def installed(github):
    github.create_repo("octo", "widgets", files=FILES)
    github.create_repo("octo", "gadgets", files=FILES)
    return github.install("octo")


def recorded_job(app, response):
    """The job the worker would run for the delivery this answer acknowledged."""
    assert response.status_code == 202, response.text
    answer = response.json()
    delivery = app.queue.log.get(answer["delivery"])
    if answer["status"] == "ignored":
        return Ignored(delivery.error)
    assert (answer["status"], delivery.status) == ("queued", "queued")
    return route(delivery.event, json.loads(delivery.payload), delivery_id=delivery.delivery_id)


def test_installation_and_added_repositories_become_onboarding(github, docbot_app, installed):
    for event, action in (("installation", "created"), ("installation_repositories", "added")):
        job = recorded_job(docbot_app, docbot_app.deliver(event, action, installed))
        assert (job.kind, job.installation_id, job.repositories) == ("onboard", installed,
                                                                     ("octo/gadgets", "octo/widgets"))


def test_pushes_to_the_default_branch_only(github, docbot_app, installed):
    sha = github.push_commit("octo", "widgets", "main", {"src/widgets/more.py": "x = 1\n"})
    job = recorded_job(docbot_app, docbot_app.deliver("push", "", {"repo": "octo/widgets"}))
    assert (job.kind, job.repo, job.head_sha, job.head_ref, job.base_ref, job.pr_number) == (
        "push_sync", "octo/widgets", sha, "main", "main", None)
    github.push_commit("octo", "widgets", "topic", {"src/widgets/topic.py": "y = 2\n"})
    other = recorded_job(docbot_app, docbot_app.deliver("push", "", {"repo": "octo/widgets", "branch": "topic"}))
    assert other == Ignored("push to a branch other than the default branch")
    deletion = {"repo": "octo/widgets", "branch": "main", "before": sha, "after": "0" * 40}
    assert recorded_job(docbot_app, docbot_app.deliver("push", "", deletion)) == Ignored("push deleted the branch")


@pytest.mark.parametrize("event", ["check_run", "check_suite"])
def test_re_runs_of_docbots_check_become_the_pr_job_again(github, docbot_app, installed, event):
    pull = github.open_pull_request("octo", "widgets", head="feature", files={"src/widgets/new.py": "z = 3\n"})
    docbot_app.deliver_events()
    docbot_app.run_jobs()
    [run] = [r for r in github.check_runs if r["head_sha"] == pull["head"]["sha"]]
    job = recorded_job(docbot_app, docbot_app.deliver(event, "rerequested", run))
    assert (job.kind, job.repo, job.head_sha, job.pr_number, job.head_ref, job.base_ref) == (
        "rerun", "octo/widgets", pull["head"]["sha"], pull["number"], "feature", "main")
