"""docbot end to end: signed webhooks from the GitHub double -> the real server, queue and worker ->
companion branch and PR, sticky summary and check run, through the real GitHub API and real git."""

from __future__ import annotations

import logging
import signal
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import requests
from apphost import stop_worker, wait_until

from bot.app.queue import RETRIES
from bot.config import RepoConfig
from bot.engine.records import config_digest
from bot.engine.summary import MARKER

REPO = "octo/widgets"
MAX_REQUESTS = 8  # GitHub API requests per PR job, token exchange excluded
FILES = {
    "README.md": "# widgets\n\nSmall helpers for widgets.\n",
    "src/widgets/__init__.py": '"""Widgets: small helpers."""\n',
    "src/widgets/shapes.py": '"""Shapes."""\n\n\ndef area(width, height):\n    """Area of a box."""\n'
                             "    return width * height\n",
    ".github/docbot.yml": "mode: branch\n",
}
CHANGE = {"src/widgets/shapes.py": '"""Shapes and sizes."""\n\n\ndef area(width, height):\n    """Area of a box."""\n'
                                   '    return width * height\n\n\ndef perimeter(width, height):\n'
                                   '    """Perimeter of a box."""\n    return 2 * (width + height)\n'}


@pytest.fixture
def repo(github):
    github.create_repo("octo", "widgets", files=FILES)
    github.install("octo")
    return REPO


def open_pr(github, files=None, **kw) -> dict:
    return github.open_pull_request("octo", "widgets", head="feature", files=files or CHANGE, **kw)


def run_one_job(app) -> tuple[list[str], int]:
    """Deliver what the double queued, run the jobs, and count the API requests they made."""
    app.deliver_events()
    app.github.reset_requests()
    outcomes = app.run_jobs()
    return outcomes, app.github.count(kind="api")


def companion_pulls(github) -> list[dict]:
    return [p for p in github.pulls if p["head"]["ref"].startswith("docbot/")]


def summaries(github) -> list[dict]:
    return [c for c in github.comments if MARKER in c["body"]]


def runs_on(github, sha: str) -> list[dict]:
    return [r for r in github.check_runs if r["head_sha"] == sha and r["name"] == "docbot"]


def test_opened_pr_gets_companion_branch_and_pr_summary_and_check(github, docbot_app, repo):
    pull = open_pr(github)
    outcomes, requests_made = run_one_job(docbot_app)
    head = pull["head"]["sha"]
    assert outcomes == ["4 page(s) stale, on docbot/pr-1"] or outcomes[0].endswith("on docbot/pr-1")
    tip = github.branch_sha("octo", "widgets", "docbot/pr-1")
    commit = github.world.repo("octo", "widgets").git.commit_info(tip)
    assert commit.parents == (head,)
    assert "Docbot-Generated: true" in commit.message
    assert github.read_file("octo", "widgets", tip, "docs/src/widgets/shapes.py_docs.md") is not None
    [companion] = companion_pulls(github)
    assert (companion["base"]["ref"], companion["state"]) == ("feature", "open")
    [summary] = summaries(github)
    assert summary["user"]["login"] == github.bot_login
    assert f"#{companion['number']}" in summary["body"] and "perimeter" in summary["body"]
    [run] = runs_on(github, head)
    assert (run["status"], run["conclusion"]) == ("completed", "action_required")
    assert "docs/src/widgets/shapes.py_docs.md" in run["output"]["summary"]
    assert requests_made <= MAX_REQUESTS


def later() -> datetime:
    """A moment past the queue's retry delay, in Huey's naive-UTC convention."""
    return datetime.now(UTC).replace(tzinfo=None) + timedelta(minutes=10)


def companion_files(github) -> dict[str, bytes]:
    """The docs pages the companion branch carries, as a person merging the companion PR gets them."""
    git = github.world.repo("octo", "widgets").git
    tip = git.branch_sha("docbot/pr-1")
    return {e.path: git.read_blob(e.sha) for e in git.ls_tree(tip, recursive=True, path="docs")}


def test_second_push_rewrites_the_branch_and_reuses_the_pr_and_the_comment(github, docbot_app, repo):
    open_pr(github)
    run_one_job(docbot_app)
    first_tip = github.branch_sha("octo", "widgets", "docbot/pr-1")
    [summary] = summaries(github)
    change = CHANGE["src/widgets/shapes.py"] + '\n\ndef volume(width, height, depth):\n    """Volume."""\n'
    head = github.push_commit("octo", "widgets", "feature", {"src/widgets/shapes.py": change})
    outcomes, requests_made = run_one_job(docbot_app)
    assert len(outcomes) == 1 and requests_made <= MAX_REQUESTS
    tip = github.branch_sha("octo", "widgets", "docbot/pr-1")
    assert tip != first_tip
    assert github.world.repo("octo", "widgets").git.commit_info(tip).parents == (head,)
    assert [p["state"] for p in companion_pulls(github)] == ["open"]
    [edited] = summaries(github)
    assert edited["id"] == summary["id"] and head[:12] in edited["body"] and "volume" in edited["body"]
    [run] = runs_on(github, head)
    assert run["conclusion"] == "action_required"


def test_a_push_that_makes_the_docs_current_retires_the_companion(github, docbot_app, repo):
    pull = open_pr(github)
    run_one_job(docbot_app)
    head = github.push_commit("octo", "widgets", "feature", companion_files(github), message="Merge the docs")
    outcomes, requests_made = run_one_job(docbot_app)
    assert outcomes == ["0 page(s) stale, docs current"] and requests_made <= MAX_REQUESTS
    assert [p["state"] for p in companion_pulls(github)] == ["closed"]
    assert github.branch_sha("octo", "widgets", "docbot/pr-1") is None
    [run] = runs_on(github, head)
    assert (run["conclusion"], run["output"]["title"]) == ("success", "Documentation is current")
    [summary] = summaries(github)
    assert "documentation is current" in summary["body"]
    assert [r["conclusion"] for r in runs_on(github, pull["head"]["sha"])] == ["action_required"]


def test_a_redelivery_runs_one_job(github, docbot_app, repo):
    pull = open_pr(github)
    github.world.events.clear()
    answers = [docbot_app.deliver("pull_request", "opened", pull, delivery_id="d-same") for _ in range(2)]
    assert [a.json()["status"] for a in answers] == ["queued", "duplicate"]
    assert len(docbot_app.run_jobs()) == 1
    assert docbot_app.deliver("pull_request", "opened", pull, delivery_id="d-same").json()["status"] == "duplicate"
    assert docbot_app.run_jobs() == []
    assert len(summaries(github)) == 1 and len(runs_on(github, pull["head"]["sha"])) == 1


def test_a_forged_signature_is_refused_and_nothing_happens(github, docbot_app, repo):
    pull = open_pr(github)
    headers, body = github.webhook_payload("pull_request", "opened", pull)
    forged = body.replace(b'"feature"', b'"main"', 1)
    github.reset_requests()
    answer = requests.post(docbot_app.url, data=forged, headers=headers, timeout=10)
    assert answer.status_code == 401
    assert docbot_app.run_jobs() == []
    assert sum(docbot_app.deliveries().values()) == 0
    assert github.requests == [] and github.check_runs == []


def test_only_the_newest_of_two_quick_pushes_publishes(github, docbot_app, repo):
    pull = open_pr(github)
    docbot_app.deliver_events()
    middle = github.push_commit("octo", "widgets", "feature", {"src/widgets/extra.py": '"""Extra."""\n'})
    docbot_app.deliver_events()
    newest = github.push_commit("octo", "widgets", "feature", {"src/widgets/more.py": '"""More."""\n'})
    docbot_app.deliver_events()
    outcomes = docbot_app.run_jobs()
    assert [o.split(":")[0] for o in outcomes[:2]] == ["superseded", "superseded"]
    tip = github.branch_sha("octo", "widgets", "docbot/pr-1")
    assert github.world.repo("octo", "widgets").git.commit_info(tip).parents == (newest,)
    for old in (pull["head"]["sha"], middle):
        [run] = runs_on(github, old)
        assert (run["conclusion"], run["output"]["title"]) == ("neutral", "Superseded")
    [summary] = summaries(github)
    assert newest[:12] in summary["body"]
    assert len(companion_pulls(github)) == 1


def test_server_errors_and_rate_limits_are_waited_out(github, docbot_app, repo):
    open_pr(github)
    docbot_app.deliver_events()
    server_error = github.fail_next("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", status=502)
    limited = github.fail_next("PATCH", "/repos/{owner}/{repo}/check-runs/{check_run_id}", status=403, retry_after=1)
    limited_post = github.fail_next("POST", "/repos/{owner}/{repo}/check-runs", status=429, retry_after=1)
    [outcome] = docbot_app.run_jobs()
    assert outcome.endswith("on docbot/pr-1")
    assert server_error.retried_at is not None
    for fault in (limited, limited_post):
        assert fault.waited is not None and fault.waited >= 1.0
    assert docbot_app.deliveries()["done"] == 1


def test_a_failed_job_says_why_on_the_check_run_and_its_retry_completes(github, docbot_app, repo):
    pull = open_pr(github)
    docbot_app.deliver_events()
    github.fail_next("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", status=502)
    docbot_app.run_jobs()
    [run] = runs_on(github, pull["head"]["sha"])
    assert run["conclusion"] == "failure"
    summary = run["output"]["summary"]
    assert "commenting on octo/widgets#1: HTTP 502" in summary
    [delivery] = docbot_app.queue.log.pending()
    assert summary.endswith(f"docbot retries a passing failure on its own; the App's operators can find delivery "
                            f"`{delivery}` in the worker log.")
    assert docbot_app.deliveries()["queued"] == 1  # the queue retries it
    [retry] = docbot_app.queue.huey.read_schedule(later())
    docbot_app.queue.huey.execute(retry, later())
    [run] = runs_on(github, pull["head"]["sha"])
    assert run["conclusion"] == "action_required"
    assert len(summaries(github)) == 1 and len(companion_pulls(github)) == 1


def test_a_failure_no_retry_can_mend_says_what_the_user_can_do_and_is_not_retried(github, docbot_app, repo):
    hand_written = {"docs/src/widgets/shapes.py_docs.md": "# Shapes\n\nWritten by hand.\n"}
    pull = open_pr(github, {**CHANGE, **hand_written})
    [outcome] = run_one_job(docbot_app)[0]
    assert outcome == "failed"
    [run] = runs_on(github, pull["head"]["sha"])
    assert run["conclusion"] == "failure"
    assert "docbot did not write sit where its pages go: docs/src/widgets/shapes.py_docs.md" in run["output"]["summary"]
    assert run["output"]["summary"].endswith(
        "A retry cannot mend this, so docbot does not try again: fix the cause, then push again or comment "
        "`/docs regenerate`.")
    assert docbot_app.deliveries()["failed"] == 1 and docbot_app.queue.huey.pending_count() == 0


def test_a_failed_command_is_answered_not_retried_and_its_check_run_says_how_to_try_again(github, docbot_app, repo):
    pull = open_pr(github)
    github.world.events.clear()  # no PR job: the command's job is the first, and makes the summary comment
    github.set_permission("octo", "widgets", "carol", "write")
    github.add_comment("octo", "widgets", pull["number"], "/docs regenerate", user="carol")
    github.fail_next("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", status=502)
    [outcome] = run_one_job(docbot_app)[0]
    assert outcome.startswith("/docs regenerate: failed")
    [run] = runs_on(github, pull["head"]["sha"])
    [delivery] = [d for d in docbot_app.queue.log.recent(10) if d.event == "issue_comment"]
    assert run["conclusion"] == "failure" and run["output"]["summary"].endswith(
        f"Comment `/docs regenerate` to try again; the App's operators can find delivery `{delivery.delivery_id}` "
        "in the worker log.")
    assert docbot_app.deliveries()["queued"] == 0


def test_a_job_failing_on_every_attempt_logs_one_line_each_and_one_traceback(github, docbot_app, repo, caplog):
    pull = open_pr(github)
    docbot_app.deliver_events()
    github.fail_next("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", status=502, times=RETRIES + 1)
    caplog.set_level(logging.INFO)
    huey = docbot_app.queue.huey
    while tasks := huey.read_schedule(later()) or [t for t in [huey.dequeue()] if t is not None]:
        for task in tasks:  # each retry as soon as it is due, as if its delay had passed
            huey.execute(task, later())
    assert docbot_app.deliveries()["failed"] == 1
    [run] = runs_on(github, pull["head"]["sha"])
    [delivery] = docbot_app.queue.log.recent(1)
    assert run["conclusion"] == "failure" and run["output"]["summary"].endswith(  # the last try: no "retries"
        f"Comment `/docs regenerate` to try again; the App's operators can find delivery `{delivery.delivery_id}` "
        "in the worker log.")
    failed = [r.getMessage() for r in caplog.records if r.name == "bot.pr.runner" and r.levelno == logging.ERROR]
    assert len(failed) == RETRIES + 1 and all(m.endswith("job for octo/widgets#1 failed: GitHubError") for m in failed)
    assert sum(r.exc_info is not None or "Traceback" in r.getMessage() for r in caplog.records) == 1


def test_closing_the_pr_closes_the_companion_and_deletes_its_branch(github, docbot_app, repo):
    pull = open_pr(github)
    run_one_job(docbot_app)
    github.set_pull_state("octo", "widgets", pull["number"], "closed")
    outcomes, requests_made = run_one_job(docbot_app)
    assert outcomes[0] == "companion PR closed, branch deleted" and requests_made <= 3
    assert [p["state"] for p in companion_pulls(github)] == ["closed"]
    assert github.branch_sha("octo", "widgets", "docbot/pr-1") is None


def test_a_malformed_config_is_reported_and_the_defaults_are_used(github, docbot_app):
    github.create_repo("octo", "widgets", files={**FILES, ".github/docbot.yml": "mode: [branch\n"})
    github.install("octo")
    pull = open_pr(github)
    run_one_job(docbot_app)
    [run] = runs_on(github, pull["head"]["sha"])
    assert run["conclusion"] == "action_required"
    assert ".github/docbot.yml is not valid YAML at line 2" in run["output"]["summary"]
    assert "default settings" in run["output"]["summary"]
    assert "not valid YAML" in summaries(github)[0]["body"]
    assert len(companion_pulls(github)) == 1  # the default mode (auto) still publishes


def test_drafts_wait_until_ready_unless_configured(github, docbot_app, repo):
    pull = open_pr(github, draft=True)
    outcomes, _ = run_one_job(docbot_app)
    assert outcomes == ["skipped: draft pull request"]
    assert github.check_runs == [] and github.comments == []
    github.world.pulls[0].draft = False
    docbot_app.deliver("pull_request", "ready_for_review", pull)
    assert docbot_app.run_jobs()[0].endswith("on docbot/pr-1")


def test_mode_off_does_nothing(github, docbot_app):
    github.create_repo("octo", "widgets", files={**FILES, ".github/docbot.yml": 'mode: "off"\n'})
    github.install("octo")
    open_pr(github)
    outcomes, requests_made = run_one_job(docbot_app)
    assert outcomes == ["skipped: mode is off"] and requests_made == 0


def test_a_fork_pr_gets_a_branch_in_the_base_repository_and_no_companion_pr(github, docbot_app, repo):
    github.fork_repo("octo", "widgets", "forker")
    pull = github.open_pull_request("octo", "widgets", head="forker:feature", files=CHANGE)
    outcomes, requests_made = run_one_job(docbot_app)
    assert outcomes[0].endswith("on docbot/pr-1") and requests_made <= MAX_REQUESTS
    tip = github.branch_sha("octo", "widgets", "docbot/pr-1")
    assert github.world.repo("octo", "widgets").git.commit_info(tip).parents == (pull["head"]["sha"],)
    assert companion_pulls(github) == []
    body = summaries(github)[0]["body"]
    assert "branch `docbot/pr-1` of octo/widgets" in body and "cannot target a fork's branch" in body


def test_racing_jobs_of_one_pr_leave_one_comment_and_one_check_run(github, docbot_app, repo):
    pull = open_pr(github)
    docbot_app.deliver_events()
    docbot_app.deliver("pull_request", "reopened", pull)
    tasks = [docbot_app.queue.huey.dequeue() for _ in range(2)]
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(docbot_app.queue.huey.execute, tasks))
    assert docbot_app.deliveries()["done"] == 2
    assert len(summaries(github)) == 1 and len(runs_on(github, pull["head"]["sha"])) == 1
    assert len(companion_pulls(github)) == 1


def test_the_token_stays_out_of_the_git_cache(github, docbot_app, repo):
    open_pr(github)
    run_one_job(docbot_app)
    cache = docbot_app.settings.git_cache_dir / "octo" / "widgets.git"
    config = (cache / "config").read_text()
    assert "promisor = true" in config and "x-access-token" not in config
    assert not any(token in config for token in github.world.tokens)


def test_a_worker_killed_mid_job_finishes_after_restart_without_duplicates(github, docbot_app, repo, tmp_path):
    pull = open_pr(github)
    docbot_app.deliver_events()
    marks = tmp_path / "marks"
    first = docbot_app.start_worker(tmp_path / "worker-1.log", stop_at="pushed", marks=marks)
    wait_until(lambda: marks.exists() and marks.read_text() == "pushed\n", "the worker to reach 'pushed'")
    first.send_signal(signal.SIGKILL)
    assert first.wait(timeout=30) == -signal.SIGKILL
    pushed_tip = github.branch_sha("octo", "widgets", "docbot/pr-1")
    assert pushed_tip is not None and summaries(github) == []
    second = docbot_app.start_worker(tmp_path / "worker-2.log")
    try:
        wait_until(lambda: docbot_app.deliveries()["done"] == 1, "the restarted worker to finish the job")
    finally:
        stop_worker(second, tmp_path / "worker-2.log")
    assert github.branch_sha("octo", "widgets", "docbot/pr-1") == pushed_tip  # one companion commit
    assert github.count("POST", "/{owner}/{repo}.git/git-receive-pack", kind="git") == 1
    assert len(summaries(github)) == 1 and len(companion_pulls(github)) == 1
    [run] = runs_on(github, pull["head"]["sha"])
    assert run["conclusion"] == "action_required"


def test_a_hundred_file_pr_costs_the_same_requests_and_batched_git_fetches(github, docbot_app, repo):
    files = {f"src/pkg{i % 5}/mod{i}.py": f'"""Module {i}."""\n\n\ndef f{i}():\n    return {i}\n' for i in range(90)}
    github.push_commit("octo", "widgets", "main", files, message="Many modules")
    changed = {path: text.replace("return", "return 1 +") for path, text in list(files.items())[:94]}
    changed |= {f"src/new/n{i}.py": f'"""New {i}."""\n' for i in range(8)}
    renamed = {"src/pkg0/mod0.py": "src/pkg9/moved0.py", "src/pkg1/mod1.py": "src/pkg9/moved1.py"}
    for old in renamed:
        changed.pop(old)
    open_pr(github, changed, renamed=renamed)
    docbot_app.deliver_events()
    github.reset_requests()
    [outcome] = docbot_app.run_jobs()
    assert outcome.endswith("on docbot/pr-1")
    assert github.count(kind="api") <= MAX_REQUESTS
    # One fetch of the refs, one of the config blob, one batch of every blob the engine reads.
    assert github.count("POST", "/{owner}/{repo}.git/git-upload-pack", kind="git") <= 4


def test_our_own_push_with_the_docs_current_only_updates_the_check_run(github, docbot_app, repo):
    open_pr(github)
    run_one_job(docbot_app)
    github.push_commit("octo", "widgets", "feature", companion_files(github), message="Merge the docs")
    run_one_job(docbot_app)  # the companion is retired
    # A push by the App itself (commit mode, issue 4), leaving the docs current.
    head = github.push_commit("octo", "widgets", "feature", {"third_party/notes.txt": "x\n"}, author=github.bot_login)
    outcomes, _ = run_one_job(docbot_app)
    assert outcomes == ["own push, docs current: check run only"]
    assert github.count(route="/repos/{owner}/{repo}/issues/*") == 0
    assert github.count(route="/repos/{owner}/{repo}/pulls") == 0
    [run] = runs_on(github, head)
    assert run["conclusion"] == "success"


def test_a_token_github_no_longer_accepts_is_dropped_and_the_job_runs_with_a_fresh_one(github, docbot_app, repo):
    open_pr(github)
    run_one_job(docbot_app)
    github.world.tokens.clear()  # revoked, or issued by a server that has since gone (a reinstalled App)
    change = CHANGE["src/widgets/shapes.py"] + '\n\ndef volume(width, height, depth):\n    """Volume."""\n'
    head = github.push_commit("octo", "widgets", "feature", {"src/widgets/shapes.py": change})
    outcomes, _ = run_one_job(docbot_app)
    assert len(outcomes) == 1 and "stale" in outcomes[0]
    [run] = runs_on(github, head)
    assert run["conclusion"] == "action_required"
    assert github.count("POST", "/app/installations/{installation_id}/access_tokens", kind="token") == 1


def test_settings_changed_on_the_default_branch_regenerate_the_whole_mirror_of_a_pr(github, docbot_app, repo):
    pull = open_pr(github)
    run_one_job(docbot_app)
    github.push_commit("octo", "widgets", "main", {".github/docbot.yml": 'mode: branch\nproject_name: "Gadgets"\n'})
    head = github.push_commit("octo", "widgets", "feature", {"src/widgets/extra.py": '"""Extra."""\n'})
    docbot_app.deliver_events()
    outcomes = docbot_app.run_jobs()
    assert len(outcomes) >= 1 and all("stale" in o or "ignored" in o for o in outcomes), outcomes
    git = github.world.repo("octo", "widgets").git
    tip = github.branch_sha("octo", "widgets", "docbot/pr-1")
    pages = {e.path: git.read_blob(e.sha).decode() for e in git.ls_tree(tip, recursive=True, path="docs")}
    docs_pages = [p for p in pages if p.endswith("_docs.md")]
    assert {"docs/README.md_docs.md", "docs/src/widgets/__init__.py_docs.md"} <= set(docs_pages)
    # Every page, of unchanged files too, was regenerated with the settings of the default branch.
    gadgets = config_digest(RepoConfig(mode="branch", project_name="Gadgets"))
    assert {p for p in pages if f" cfg={gadgets} " not in pages[p]} == set()
    assert git.commit_info(tip).parents == (head,) and pull["number"] == 1
