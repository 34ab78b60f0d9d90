"""A repository's life with the App, end to end against the GitHub double: onboarding when installed, the
default branch kept true after pushes (`docbot/sync`), and the Re-run buttons of docbot's check."""

from __future__ import annotations

from gitrepo import Repo

from bot.cli import main

FILES = {
    "README.md": "# widgets\n\nSmall helpers for widgets.\n",
    "src/widgets/__init__.py": '"""Widgets: small helpers."""\n',
    "src/widgets/shapes.py": '"""Shapes."""\n\n\ndef area(width, height):\n    """Area of a box."""\n'
                             "    return width * height\n",
}
MKDOCS = {"mkdocs.yml": "site_name: widgets\n", "docs/index.md": "# Widgets\n\nHand-written.\n",
          "docs/usage.md": "# Usage\n"}


def files_on(github, ref: str) -> dict[str, str]:
    repo = github.world.repo("octo", "widgets").git
    sha = repo.resolve(ref) or repo.branch_sha(ref)
    return {e.path: repo.read_blob(e.sha).decode() for e in repo.ls_tree(sha, recursive=True)}


def run_delivery(app, event: str, action: str, obj) -> list[str]:
    assert app.deliver(event, action, obj).status_code == 202
    return app.run_jobs()


def docbot_pulls(github, branch: str) -> list[dict]:
    return [p for p in github.pulls if p["head"]["ref"] == branch]


def generate_all_locally(tmp_path, files: dict[str, str]) -> dict[str, str]:
    """What `docbot generate --all` writes for these files (in a folder named as the repository)."""
    repo = Repo.init(tmp_path / "local" / "widgets", files)
    assert main(["generate", "--repo", str(repo.path), "--all"]) == 0
    return {p: b.decode() for p, b in repo.files("").items() if p not in files}


def install_and_onboard(github, app, files) -> list[str]:
    github.create_repo("octo", "widgets", files=files)
    installation = github.install("octo")
    return run_delivery(app, "installation", "created", installation)


def test_installing_on_a_plain_repository_opens_one_onboarding_pr_with_the_full_mirror(github, docbot_app, tmp_path):
    outcomes = install_and_onboard(github, docbot_app, FILES)
    assert len(outcomes) == 1 and "docbot/onboarding" in outcomes[0], outcomes
    [pull] = docbot_pulls(github, "docbot/onboarding")
    assert pull["base"]["ref"] == "main" and "Welcome to docbot" in pull["body"]
    proposed = files_on(github, "docbot/onboarding")
    assert "docs_dir: docs\n" in proposed[".github/docbot.yml"]
    settings = {".github/docbot.yml": proposed[".github/docbot.yml"]}
    mirror = {p: t for p, t in proposed.items() if p not in FILES and p not in settings}
    assert mirror == generate_all_locally(tmp_path, {**FILES, **settings})  # byte for byte
    [again] = run_delivery(docbot_app, "installation_repositories", "added", next(iter(github.world.installations)))
    assert again == outcomes[0]  # the same commit and the same PR: a second delivery changes nothing
    assert len(docbot_pulls(github, "docbot/onboarding")) == 1


def test_an_mkdocs_repository_keeps_its_docs_and_gets_the_mirror_beside_them(github, docbot_app):
    install_and_onboard(github, docbot_app, {**FILES, **MKDOCS})
    proposed = files_on(github, "docbot/onboarding")
    assert "docs_dir: docs-mirror" in proposed[".github/docbot.yml"]
    assert {p: proposed[p] for p in MKDOCS} == MKDOCS
    assert "docs-mirror/docs/usage.md_docs.md" in proposed and "docs-mirror/index.md" in proposed


def test_pull_requests_wait_with_a_neutral_check_while_the_onboarding_pr_is_open(github, docbot_app):
    install_and_onboard(github, docbot_app, FILES)
    pull = github.open_pull_request("octo", "widgets", head="feature", files={"src/widgets/more.py": '"""More."""\n'})
    docbot_app.deliver_events()
    outcomes = docbot_app.run_jobs()
    assert outcomes == [f"skipped: being set up (#{docbot_pulls(github, 'docbot/onboarding')[0]['number']})"]
    [run] = [r for r in github.check_runs if r["head_sha"] == pull["head"]["sha"]]
    assert (run["conclusion"], run["output"]["title"]) == ("neutral", "docbot is being set up")


def merge(github, branch: str) -> str:
    """What merging docbot's PR does to main: its files land there."""
    return github.push_commit("octo", "widgets", "main", files_on(github, branch), message=f"Merge {branch}")


def test_a_pr_merged_without_docs_gets_a_sync_pr_that_closes_once_the_mirror_is_current(github, docbot_app):
    install_and_onboard(github, docbot_app, FILES)
    merge(github, "docbot/onboarding")
    assert run_delivery(docbot_app, "push", "", {"repo": "octo/widgets", "branch": "main"}) == [
        "the mirror on the default branch is current"]
    github.push_commit("octo", "widgets", "main", {"src/widgets/more.py": '"""More helpers."""\n'},
                       message="Merge a PR without its docs")
    [outcome] = run_delivery(docbot_app, "push", "", {"repo": "octo/widgets", "branch": "main"})
    assert "on docbot/sync" in outcome
    [pull] = docbot_pulls(github, "docbot/sync")
    assert "`docs/src/widgets/more.py_docs.md`: missing" in pull["body"] and pull["state"] == "open"
    merge(github, "docbot/sync")
    [outcome] = run_delivery(docbot_app, "push", "", {"repo": "octo/widgets", "branch": "main"})
    assert outcome == "the mirror on the default branch is current; docbot/sync retired"
    assert docbot_pulls(github, "docbot/sync")[0]["state"] == "closed"
    assert github.branch_sha("octo", "widgets", "docbot/sync") is None
    github.create_branch("octo", "widgets", "feature-x")
    assert run_delivery(docbot_app, "push", "", {"repo": "octo/widgets", "branch": "feature-x"}) == []  # no job


def test_both_re_runs_run_the_pr_job_again_for_that_head(github, docbot_app):
    github.create_repo("octo", "widgets", files={**FILES, ".github/docbot.yml": "mode: branch\n"})
    github.install("octo")
    pull = github.open_pull_request("octo", "widgets", head="feature", files={"src/widgets/more.py": '"""More."""\n'})
    docbot_app.deliver_events()
    docbot_app.run_jobs()
    [run] = [r for r in github.check_runs if r["head_sha"] == pull["head"]["sha"]]
    for event in ("check_run", "check_suite"):
        outcomes = run_delivery(docbot_app, event, "rerequested", run)
        assert len(outcomes) == 1 and outcomes[0].startswith("re-run: "), outcomes
    runs = [r for r in github.check_runs if r["head_sha"] == pull["head"]["sha"]]
    assert len(runs) == 1 and runs[0]["status"] == "completed"



def test_a_catastrophic_glob_in_the_settings_costs_nothing_and_the_next_repository_is_served(github, docbot_app):
    catastrophic = "*a" * 50 + "b"  # backtracks for minutes in Python's re; RE2 matches it in linear time
    settings = f'mode: branch\nexclude: ["{catastrophic}"]\n'
    github.create_repo("octo", "widgets", files={**FILES, ".github/docbot.yml": settings})
    github.create_repo("octo", "gadgets", files=FILES)
    github.install("octo")
    first = github.open_pull_request("octo", "widgets", head="feature", files={"a" * 60 + ".py": "A = 1\n"})
    second = github.open_pull_request("octo", "gadgets", head="feature", files={"src/widgets/more.py": "B = 2\n"})
    docbot_app.deliver_events()
    outcomes = docbot_app.run_jobs()
    assert len(outcomes) == 2 and all("stale" in o for o in outcomes), outcomes
    for pull in (first, second):
        [run] = [r for r in github.check_runs if r["head_sha"] == pull["head"]["sha"]]
        assert run["status"] == "completed" and run["conclusion"] == "action_required"
