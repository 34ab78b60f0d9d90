"""Fork rules: where docbot may push, companion PRs, the workflows folder, and the patch offered to a fork."""

from __future__ import annotations

import copy
import json
import os
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from gitrepo import GIT_ENV, Repo

from bot.pr.forks import (
    PullRepos,
    PushDecision,
    apply_command,
    patch_instructions,
    push_target,
    touches_workflows,
)

HOOKS = Path(__file__).parents[1] / "fixtures/webhooks"
SAME = "pull_request/synchronize.payload.json"  # Codertocat/Hello-World into itself
FORK = "extra/pr-triage_app/pull_request.edited.json"  # watsonbot's user fork, maintainer_can_modify true


def pull(fixture: str, **changes) -> dict:
    """The fixture's pull request object with head.repo fields (or head.repo itself) replaced."""
    pr = copy.deepcopy(json.loads((HOOKS / fixture).read_text())["pull_request"])
    if "repo" in changes:
        pr["head"]["repo"] = changes.pop("repo")
    if "owner_type" in changes:
        pr["head"]["repo"]["owner"]["type"] = changes.pop("owner_type")
    pr.update(changes)
    return pr


CASES = [
    ("same repository", pull(SAME),
     PullRepos("Codertocat/Hello-World", "Codertocat/Hello-World", "User", False),
     PushDecision(True, "the branch is in Codertocat/Hello-World"), True),
    ("user fork allowing maintainer edits", pull(FORK),
     PullRepos("sotayamashita/test_project", "watsonbot/test_project", "User", True),
     PushDecision(True, "watsonbot/test_project allows edits from maintainers"), False),
    ("user fork not allowing them", pull(FORK, maintainer_can_modify=False),
     PullRepos("sotayamashita/test_project", "watsonbot/test_project", "User", False),
     PushDecision(False, "watsonbot/test_project does not allow edits from maintainers"), False),
    ("organization fork", pull(FORK, owner_type="Organization"),
     PullRepos("sotayamashita/test_project", "watsonbot/test_project", "Organization", True),
     PushDecision(False, "watsonbot/test_project is owned by an organization: GitHub lets no one else push to its "
                         "branches"), False),
    ("deleted fork", pull(FORK, repo=None),
     PullRepos("sotayamashita/test_project", None, None, True),
     PushDecision(False, "the fork this pull request came from was deleted"), False),
]


def repos_from_payload(pull_request) -> PullRepos:
    """From a webhook's pull request object (`head.repo` is null for a deleted fork)."""
    head = pull_request["head"].get("repo") or {}
    return PullRepos(pull_request["base"]["repo"]["full_name"], head.get("full_name"),
                     (head.get("owner") or {}).get("type"), pull_request.get("maintainer_can_modify") is True)


@pytest.mark.parametrize(("pr", "repos", "decision", "companion"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_push_rules_from_real_payloads(pr, repos, decision, companion):
    assert repos_from_payload(pr) == repos
    assert (push_target(repos), repos.same_repo) == (decision, companion)


def test_same_repository_ignores_name_case_and_maintainer_edits():
    repos = PullRepos("Octo/Docs", "octo/docs", "Organization", False)
    assert (push_target(repos).allowed, repos.same_repo) == (True, True)


def test_from_the_jobs_pull_info():
    info = SimpleNamespace(head_repo="u/fork", head_owner_type="User", maintainer_can_modify=True)
    assert PullRepos.from_pull(info, "o/r") == PullRepos("o/r", "u/fork", "User", True)


@pytest.mark.parametrize(("paths", "touches"), [
    ([], False),
    (["docs/a.py_docs.md", ".github/docbot.yml"], False),
    ([".github/workflows/ci.yml"], True),
    (["docs/x.md", ".github/workflows/sub/deploy.yaml"], True),
    ([".github/workflows"], True),
    ([".GitHub/Workflows/ci.yml"], True),
    (["./.github/workflows/ci.yml"], True),
    ([".github/workflows-old/ci.yml", "docs/.github/workflows/ci.yml"], False),
])
def test_touches_workflows(paths, touches):
    assert touches_workflows(paths) is touches


PATCH = "diff --git a/docs/a_docs.md b/docs/a_docs.md\n--- a/docs/a_docs.md\n+++ b/docs/a_docs.md\n@@ -1 +1,3 @@\n" \
        " # a\n+```py\n+run()\n"


def test_patch_instructions_for_a_fork_that_allows_pushes():
    assert patch_instructions("docbot/pr-7", "octo/docs", PATCH, can_push=True) == "\n".join([
        "<details>",
        "<summary>Apply the docs to your fork: one command (branch <code>docbot/pr-7</code>)</summary>",
        "",
        "In your clone of the fork, on this pull request's branch, run this, then `git push`:",
        "",
        "```sh",
        "git fetch https://github.com/octo/docs.git docbot/pr-7 && git cherry-pick FETCH_HEAD",
        "```",
        "",
        "It fetches docbot's commit from octo/docs and replays it onto your branch.",
        "",
        "Or comment `/docs commit` and docbot pushes the commit to your branch itself.",
        "",
        "The same change as a patch (`git apply` takes it):",
        "",
        "````diff",
        PATCH.rstrip("\n"),
        "````",
        "",
        "</details>",
    ])


def test_long_patches_are_cut_at_a_line_and_say_so():
    text = patch_instructions("docbot/pr-7", "octo/docs", "+line\n" * 100, limit=50)
    assert "/docs commit" not in text
    assert "```diff\n" + "+line\n" * 8 + "```\n" in text
    assert "Cut after 48 of 600 characters, so it no longer applies: use the command above." in text


def test_hostile_branch_and_server_names_stay_quoted():
    assert apply_command("docbot/pr-7;rm -rf ~", "o/r", "https://ghe.example.com/") == (
        "git fetch https://ghe.example.com/o/r.git 'docbot/pr-7;rm -rf ~' && git cherry-pick FETCH_HEAD")
    assert "<code>a&lt;b</code>" in patch_instructions("a<b", "o/r", "")


def test_the_command_applies_docbots_commit_in_a_clone_of_the_fork(tmp_path):
    """Real git: upstream holds docbot's commit on the PR head; the author has committed more since."""
    upstream = Repo.init(tmp_path / "upstream", {"src/a.py": "v1\n"})
    fork = Repo(tmp_path / "fork")
    upstream.git("clone", "-q", str(upstream.path), str(fork.path))
    fork.git("checkout", "-q", "-b", "feature")
    fork.write({"src/a.py": "v2\n"})
    head = fork.commit("change a")
    upstream.git("fetch", "-q", str(fork.path), "feature:refs/pull/7/head")
    upstream.git("checkout", "-q", "-b", "docbot/pr-7", head)
    upstream.write({"docs/src/a.py_docs.md": "# a.py\n"})
    upstream.commit("docs: regenerate\n\nDocbot-Generated: true")
    served = tmp_path / "srv"
    upstream.git("clone", "-q", "--bare", str(upstream.path), str(served / "octo/docs.git"))
    fork.write({"notes.txt": "later\n"})
    fork.commit("more work")
    command = apply_command("docbot/pr-7", "octo/docs", f"file://{served}")
    env = {**os.environ, **GIT_ENV, "GIT_CONFIG_GLOBAL": os.devnull}
    subprocess.run(command, shell=True, cwd=fork.path, env=env, check=True, capture_output=True)
    assert fork.files() == {"docs/src/a.py_docs.md": b"# a.py\n", "notes.txt": b"later\n", "src/a.py": b"v2\n"}
    assert fork.git("log", "-1", "--format=%B").strip().endswith("Docbot-Generated: true")
