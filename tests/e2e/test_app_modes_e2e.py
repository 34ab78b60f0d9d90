"""docbot's modes, commands and fork rules end to end: signed webhooks from the GitHub double -> the real
server and queue -> reviews with suggestions, commits onto PR branches, fork patches, `/docs` replies and
check-run buttons, through the real GitHub API and real git."""

from __future__ import annotations

import re

from github_double.gitcli import git as client_git

from bot.engine.summary import MARKER
from bot.pr.commands import REPLY_MARKER

REPO = "octo/widgets"
SHAPES = "docs/src/widgets/shapes.py_docs.md"
BRANCH_MODE_REQUESTS = 8  # GitHub API requests of a plain PR job in branch mode (tests/test_app_e2e.py)
SUGGESTION_REQUESTS = 11  # the same job in suggestions mode: + PR files, + docbot's review comments, + the review
SOURCE = '''"""Shapes and sizes.

Example:

```python
area(2, 3)
```
"""


def area(width, height):
    """Area of a box."""
    return width * height


def perimeter(width, height):
    """Perimeter of a box."""
    return 2 * (width + height)
'''
FILES = {
    "README.md": "# widgets\n\nSmall helpers for widgets.\n",
    "src/widgets/__init__.py": '"""Widgets: small helpers."""\n',
    "src/widgets/shapes.py": '"""Shapes."""\n',
}
CHANGE = {"src/widgets/shapes.py": SOURCE}
COLLABORATOR, STRANGER = "carol", "mallory"


def make_repo(github, mode: str, owner_type: str = "User") -> None:
    github.create_repo("octo", "widgets", files={**FILES, ".github/docbot.yml": f"mode: {mode}\n"},
                       owner_type=owner_type)
    github.install("octo", owner_type=owner_type)
    github.set_permission("octo", "widgets", COLLABORATOR, "write")


def run_jobs(app) -> tuple[list[str], int]:
    """Deliver what the double queued, run every job, and count the API requests they made."""
    app.deliver_events()
    app.github.reset_requests()
    outcomes = app.run_jobs()
    return outcomes, app.github.count(kind="api")


def git(github, owner: str = "octo"):
    return github.world.repo(owner, "widgets").git


def tip(github, branch: str, owner: str = "octo") -> str | None:
    return github.branch_sha(owner, "widgets", branch)


def pages_on(github, ref: str, owner: str = "octo") -> dict[str, str]:
    """The mirror pages of a commit or branch, as text."""
    repo = git(github, owner)
    sha = repo.resolve(ref) or repo.branch_sha(ref)
    return {e.path: repo.read_blob(e.sha).decode() for e in repo.ls_tree(sha, recursive=True, path="docs")}


def summary(github) -> str:
    [comment] = [c for c in github.comments if MARKER in c["body"] and c["user"]["login"] == github.bot_login]
    return comment["body"]


def replies(github) -> list[str]:
    return [c["body"] for c in github.comments if REPLY_MARKER in c["body"]]


def check_run(github, sha: str) -> dict:
    [run] = [r for r in github.check_runs if r["head_sha"] == sha and r["name"] == "docbot"]
    return run


def docbot_suggestions(github) -> list[dict]:
    return [c for c in github.review_comments if c["user"]["login"] == github.bot_login]


def companion_pulls(github) -> list[dict]:
    return [p for p in github.pulls if p["head"]["ref"].startswith("docbot/")]


def comment(app, body: str, user: str = COLLABORATOR, **kw) -> tuple[dict, list[str]]:
    """A PR comment by `user`, its job run; returns the comment and the reactions docbot left on it."""
    made = app.github.add_comment("octo", "widgets", 1, body, user=user, **kw)
    run_jobs(app)
    return made, app.github.reactions(made["id"])


def mistype(page: str, *edits: tuple[str, str]) -> str:
    """The page with lines changed, as an author who regenerated the docs badly would push it."""
    for right, wrong in edits:
        assert right in page, right
        page = page.replace(right, wrong, 1)
    return page


# --- suggestions ---------------------------------------------------------------------------------------


def test_suggestions_apply_cleanly_single_multi_line_and_fenced(github, docbot_app):
    make_repo(github, "suggestions")
    github.open_pull_request("octo", "widgets", head="feature", files=CHANGE)
    outcomes, _ = run_jobs(docbot_app)
    assert outcomes[0].endswith("on docbot/pr-1")  # no page is in the PR diff: the branch takes them all
    assert "Not suggested — on `docbot/pr-1`" in summary(github)
    assert f"`{SHAPES}`: new file" in summary(github)
    regenerated = pages_on(github, "docbot/pr-1")
    wrong = mistype(regenerated[SHAPES],
                    ("\nShapes and sizes.\n", "\nShapes.\n"),  # one line
                    ("````python\n", "```python\n"),  # a fence line: the suggestion needs five backticks
                    ("def area(width, height):\n    \"\"\"Area", "def area(w, h):\n    \"\"\"The area"))  # two lines
    head = github.push_commit("octo", "widgets", "feature", {**regenerated, SHAPES: wrong}, message="Docs by hand")
    outcomes, requests_made = run_jobs(docbot_app)
    assert outcomes == ["2 page(s) stale, 3 suggestion(s)"] or outcomes[0].startswith("1 page(s) stale, 3 sugg")
    assert requests_made <= SUGGESTION_REQUESTS
    comments = docbot_suggestions(github)
    assert sorted((c["line"], c["start_line"]) for c in comments) == [(14, None), (18, None), (30, 29)]
    assert any("`````suggestion\n````python\n`````" in c["body"] for c in comments)
    assert [r["commit_id"] for r in github.reviews] == [head]
    assert companion_pulls(github)[0]["state"] == "closed" and tip(github, "docbot/pr-1") is None
    assert check_run(github, head)["conclusion"] == "action_required"
    assert "3 suggestion(s) in docbot's review" in summary(github)
    run_jobs(docbot_app)  # a redelivered or repeated job on the same head posts nothing again
    assert len(docbot_suggestions(github)) == 3 and len(github.reviews) == 1
    applied = github.apply_suggestions(comments, user="octo")
    assert github.read_file("octo", "widgets", applied, SHAPES).decode() == regenerated[SHAPES]
    outcomes, _ = run_jobs(docbot_app)
    assert outcomes == ["0 page(s) stale, docs current"]
    assert check_run(github, applied)["conclusion"] == "success"
    assert "documentation is current" in summary(github)


def big_source(name: str) -> str:
    return f'"""Big {name}."""\n\n' + "".join(f"VALUE_{i} = {i}\n" for i in range(90))


def test_suggestions_over_the_limit_go_to_the_branch_and_the_button_moves_all_pages_there(github, docbot_app):
    make_repo(github, "auto")
    big = {f"src/widgets/big_{name}.py": big_source(name) for name in "ab"}
    github.open_pull_request("octo", "widgets", head="feature", files={**CHANGE, **big})
    run_jobs(docbot_app)
    regenerated = pages_on(github, "docbot/pr-1")
    page_a, page_b = (f"docs/src/widgets/big_{name}.py_docs.md" for name in "ab")
    # 20 separate suggestions per page: the first page fits in one review, the second does not (30 at most).
    edits = [(f"\nVALUE_{i} = {i}\n", f"\nVALUE_{i} = -{i}\n") for i in range(0, 80, 4)]
    wrong = {page: mistype(regenerated[page], *edits) for page in (page_a, page_b)}
    head = github.push_commit("octo", "widgets", "feature", {**regenerated, **wrong}, message="Docs by hand")
    outcomes, requests_made = run_jobs(docbot_app)
    assert outcomes == ["2 page(s) stale, 20 suggestion(s), on docbot/pr-1"]
    assert requests_made <= SUGGESTION_REQUESTS
    assert {c["path"] for c in docbot_suggestions(github)} == {page_a} and len(docbot_suggestions(github)) == 20
    on_branch = pages_on(github, "docbot/pr-1")
    assert on_branch[page_b] == regenerated[page_b] and on_branch[page_a] == wrong[page_a]
    assert f"`{page_b}`: over the 30-comment limit (needs 20 comment(s))" in summary(github)
    run = check_run(github, head)
    assert run["conclusion"] == "action_required"
    assert [a["label"] for a in run["actions"]] == ["Regenerate", "Open docs PR"]
    github.reset_requests()
    docbot_app.deliver("check_run", "requested_action", run, identifier="open_docs_pr", sender=STRANGER)
    assert docbot_app.run_jobs() == [f"not allowed: {STRANGER} has no write access to {REPO}"]
    assert github.count("POST", "/{owner}/{repo}.git/git-receive-pack", kind="git") == 0
    docbot_app.deliver("check_run", "requested_action", run, identifier="open_docs_pr", sender=COLLABORATOR)
    assert docbot_app.run_jobs()[0].startswith("button open_docs_pr: done")
    on_branch = pages_on(github, "docbot/pr-1")
    assert on_branch[page_a] == regenerated[page_a] and on_branch[page_b] == regenerated[page_b]
    [companion] = [p for p in companion_pulls(github) if p["state"] == "open"]
    assert f"`{page_a}` written" in companion["body"] and f"#{companion['number']}" in summary(github)
    assert "Not suggested" not in summary(github)


def test_a_refused_review_sends_every_page_to_the_branch(github, docbot_app):
    make_repo(github, "suggestions")
    github.open_pull_request("octo", "widgets", head="feature", files=CHANGE)
    run_jobs(docbot_app)
    regenerated = pages_on(github, "docbot/pr-1")
    wrong = mistype(regenerated[SHAPES], ("\nShapes and sizes.\n", "\nShapes.\n"))
    head = github.push_commit("octo", "widgets", "feature", {**regenerated, SHAPES: wrong})
    line = "Pull request review thread line must be part of the diff"
    github.fail_next("POST", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews", status=422, message=line)
    outcomes, _ = run_jobs(docbot_app)
    assert outcomes == ["1 page(s) stale, on docbot/pr-1"] and github.reviews == []
    assert pages_on(github, "docbot/pr-1")[SHAPES] == regenerated[SHAPES]
    assert git(github).commit_info(tip(github, "docbot/pr-1")).parents == (head,)
    assert f"`{SHAPES}`: GitHub refused docbot's review" in summary(github)
    assert "every page went to the companion branch" in summary(github)


# --- commit mode and the loop guard ---------------------------------------------------------------------


def test_commit_mode_pushes_one_commit_and_its_own_push_makes_no_second_one(github, docbot_app):
    make_repo(github, "commit")
    pull = github.open_pull_request("octo", "widgets", head="feature", files=CHANGE)
    head = pull["head"]["sha"]
    outcomes, requests_made = run_jobs(docbot_app)
    committed = tip(github, "feature")
    assert outcomes == [f"11 page(s) stale, committed {committed[:12]}"] and requests_made <= BRANCH_MODE_REQUESTS
    info = git(github).commit_info(committed)
    assert info.parents == (head,) and "Docbot-Generated: true" in info.message
    assert info.author[0] == github.bot_login
    assert pages_on(github, committed)[SHAPES].startswith("# Documentation: `src/widgets/shapes.py`")
    assert (check_run(github, head)["conclusion"], check_run(github, head)["actions"]) == ("neutral", [])
    assert f"docbot pushed `{committed[:12]}` onto `feature`" in summary(github)
    assert tip(github, "docbot/pr-1") is None and companion_pulls(github) == []
    github.reset_requests()
    outcomes, requests_made = run_jobs(docbot_app)  # the synchronize our own push caused
    assert outcomes == ["own push, docs current: check run only"]
    assert tip(github, "feature") == committed
    assert github.count("POST", "/{owner}/{repo}.git/git-receive-pack", kind="git") == 0
    assert check_run(github, committed)["conclusion"] == "success"
    later = github.push_commit("octo", "widgets", "feature", {"src/widgets/shapes.py": SOURCE + "\nSIDES = 4\n"})
    outcomes, _ = run_jobs(docbot_app)  # a person's push: docbot commits again, once
    assert git(github).commit_info(tip(github, "feature")).parents == (later,)
    assert run_jobs(docbot_app)[0] == ["own push, docs current: check run only"]


def test_commit_mode_never_writes_under_workflows(github, docbot_app):
    # Any spelling of .github in docs_dir is refused (a case-insensitive checkout would merge them):
    # the check run says so, the defaults apply, and nothing lands under .github/ in any case.
    config = "mode: commit\ndocs_dir: .GitHub/Workflows/docs\n"
    github.create_repo("octo", "widgets", files={**FILES, ".github/docbot.yml": config})
    github.install("octo")
    pull = github.open_pull_request("octo", "widgets", head="feature", files=CHANGE)
    run_jobs(docbot_app)
    assert tip(github, "feature") == pull["head"]["sha"]
    run = check_run(github, pull["head"]["sha"])
    assert "docs_dir" in run["output"]["summary"] and "default settings" in run["output"]["summary"]
    assert pages_on(github, "docbot/pr-1")
    tree = {e.path for e in git(github).ls_tree(tip(github, "docbot/pr-1"), recursive=True)}
    assert {p for p in tree if p.lower().startswith(".github/")} == {".github/docbot.yml"}


# --- fork pull requests ---------------------------------------------------------------------------------


def fork_pr(github, mode: str, fork_owner: str = "forker", owner_type: str = "User", edits: bool = True,
            files: dict[str, str] | None = None) -> dict:
    make_repo(github, mode)
    github.fork_repo("octo", "widgets", fork_owner, owner_type=owner_type)
    return github.open_pull_request("octo", "widgets", head=f"{fork_owner}:feature", files=files or CHANGE,
                                    maintainer_can_modify=edits)


def test_a_fork_that_allows_edits_gets_the_patch_and_docs_commit_pushes_to_it(github, docbot_app):
    # The fork's own config asks for commit mode: only the base repository's default branch counts.
    pull = fork_pr(github, "branch", files={**CHANGE, ".github/docbot.yml": "mode: commit\n"})
    head = pull["head"]["sha"]
    outcomes, requests_made = run_jobs(docbot_app)
    assert outcomes == ["16 page(s) stale, on docbot/pr-1"] and requests_made <= BRANCH_MODE_REQUESTS
    assert tip(github, "feature", owner="forker") == head
    assert companion_pulls(github) == []  # a PR cannot target a fork's branch
    body = summary(github)
    assert "<summary>Apply the docs to your fork" in body and "git cherry-pick FETCH_HEAD" in body
    assert "comment `/docs commit`" in body and "\n+++ b/docs/src/widgets/shapes.py_docs.md\n" in body
    assert "Apply the docs to your fork" in check_run(github, head)["output"]["text"]
    assert [a["label"] for a in check_run(github, head)["actions"]] == ["Regenerate"]  # no companion PR possible
    made, reactions = comment(docbot_app, "/docs commit")
    assert reactions == ["eyes", "rocket"] and replies(github) == []
    committed = tip(github, "feature", owner="forker")
    assert git(github, "forker").commit_info(committed).parents == (head,)
    assert tip(github, "docbot/pr-1") is None  # its pages are on the fork's branch now
    outcomes, _ = run_jobs(docbot_app)  # our push to the fork
    assert outcomes == ["own push, docs current: check run only"] and tip(github, "feature", "forker") == committed
    assert check_run(github, committed)["conclusion"] == "success"


def test_a_fork_without_maintainer_edits_gets_the_patch_and_never_a_commit(github, docbot_app, tmp_path):
    pull = fork_pr(github, "commit", edits=False)
    outcomes, _ = run_jobs(docbot_app)
    assert outcomes == ["11 page(s) stale, on docbot/pr-1"]
    assert tip(github, "feature", owner="forker") == pull["head"]["sha"]
    body = summary(github)
    assert "Not committed onto `feature`: forker/widgets does not allow edits from maintainers" in body
    assert "<summary>Apply the docs to your fork" in body and "/docs commit" not in body
    # The author's side: the patch in the summary, applied in a clone of the fork, gives docbot's pages.
    clone = tmp_path / "clone"
    client_git("clone", "-q", "-b", "feature", str(git(github, "forker").path), str(clone))
    patch = re.search(r"\n(`{3,})diff\n(.*?)\n\1\n", body, re.DOTALL)[2] + "\n"
    (tmp_path / "docs.patch").write_text(patch)
    client_git("apply", str(tmp_path / "docs.patch"), cwd=clone)
    assert {p: (clone / p).read_text() for p in pages_on(github, "docbot/pr-1")} == pages_on(github, "docbot/pr-1")
    _, reactions = comment(docbot_app, "/docs commit")
    assert reactions == ["eyes", "confused"]
    assert "forker/widgets does not allow edits from maintainers" in replies(github)[0]
    assert tip(github, "feature", owner="forker") == pull["head"]["sha"]


def test_an_org_owned_fork_is_never_pushed_to(github, docbot_app):
    pull = fork_pr(github, "commit", fork_owner="acme", owner_type="Organization", edits=True)
    run_jobs(docbot_app)
    assert tip(github, "feature", owner="acme") == pull["head"]["sha"]
    assert "acme/widgets is owned by an organization" in summary(github) and "/docs commit" not in summary(github)
    _, reactions = comment(docbot_app, "/docs commit")
    assert reactions == ["eyes", "confused"] and "owned by an organization" in replies(github)[0]


def test_a_deleted_fork_still_gets_the_branch_and_the_patch(github, docbot_app):
    pull = fork_pr(github, "commit")
    github.world.events.clear()
    github.delete_repo("forker", "widgets")
    docbot_app.deliver("pull_request", "reopened", pull)
    outcomes, _ = run_jobs(docbot_app)
    assert outcomes == ["11 page(s) stale, on docbot/pr-1"]
    tip_sha = tip(github, "docbot/pr-1")
    assert git(github).commit_info(tip_sha).parents == (pull["head"]["sha"],)
    body = summary(github)
    assert "the fork this pull request came from was deleted" in body and "git cherry-pick FETCH_HEAD" in body
    _, reactions = comment(docbot_app, "/docs commit")
    assert reactions == ["eyes", "confused"] and "was deleted" in replies(github)[0]


def test_the_regenerate_button_of_a_fork_pr_finds_it_by_head_sha(github, docbot_app):
    pull = fork_pr(github, "branch")
    run_jobs(docbot_app)
    run = check_run(github, pull["head"]["sha"])
    assert run["pull_requests"] == []  # as on GitHub for forks: the head sha is the only key
    git(github).delete_ref("refs/heads/docbot/pr-1")  # someone deleted the branch by hand
    docbot_app.deliver("check_run", "requested_action", run, identifier="regenerate", sender=COLLABORATOR)
    assert docbot_app.run_jobs() == ["button regenerate: done (11 page(s) stale, on docbot/pr-1)"]
    assert git(github).commit_info(tip(github, "docbot/pr-1")).parents == (pull["head"]["sha"],)


# --- slash commands -------------------------------------------------------------------------------------


def test_every_command_from_a_collaborator(github, docbot_app):
    make_repo(github, "branch")
    pull = github.open_pull_request("octo", "widgets", head="feature", files=CHANGE)
    run_jobs(docbot_app)
    first_tip = tip(github, "docbot/pr-1")
    _, reactions = comment(docbot_app, "/docs help")
    assert reactions == ["eyes", "rocket"] and "| `/docs commit` |" in replies(github)[-1]
    _, reactions = comment(docbot_app, "/docs regenerate")
    assert reactions == ["eyes", "rocket"] and len(replies(github)) == 1
    assert tip(github, "docbot/pr-1") == first_tip  # the same commit: nothing new to push
    _, reactions = comment(docbot_app, "/docs suggest")  # every page is new: none can be suggested
    assert reactions == ["eyes", "confused"] and "no page can be suggested here" in replies(github)[-1]
    _, reactions = comment(docbot_app, "/docs branch")
    assert reactions == ["eyes", "rocket"] and len(replies(github)) == 2
    assert [p["state"] for p in companion_pulls(github)] == ["open"]
    _, reactions = comment(docbot_app, "Thanks! Now:\n\n/docs commit\n\n```\n/docs skip\n```")
    assert reactions == ["eyes", "rocket"] and len(replies(github)) == 2
    committed = tip(github, "feature")
    assert git(github).commit_info(committed).parents == (pull["head"]["sha"],)
    assert companion_pulls(github)[0]["state"] == "closed" and tip(github, "docbot/pr-1") is None
    assert run_jobs(docbot_app)[0] == ["own push, docs current: check run only"]
    _, reactions = comment(docbot_app, "/docs commit")
    assert reactions == ["eyes", "confused"] and "`/docs commit`: nothing to do — the docs are current." in (
        replies(github)[-1])
    _, reactions = comment(docbot_app, "/DOCS skip\n/docs resume")
    assert reactions == ["eyes", "rocket"]
    assert check_run(github, committed)["conclusion"] == "success" and "docbot:skip" not in summary(github)
    assert tip(github, "feature") == committed


def test_commands_from_a_stranger_with_a_typo_and_with_write_access_but_no_association(github, docbot_app):
    make_repo(github, "branch")
    github.open_pull_request("octo", "widgets", head="feature", files=CHANGE)
    run_jobs(docbot_app)
    permission = "/repos/{owner}/{repo}/collaborators/{username}/permission"
    _, reactions = comment(docbot_app, "/docs help", user=STRANGER)
    assert reactions == ["eyes", "rocket"] and "| `/docs regenerate` |" in replies(github)[-1]
    assert github.count("GET", permission) == 0  # help needs no permission
    for command in ("regenerate", "suggest", "branch", "commit", "skip", "resume"):
        _, reactions = comment(docbot_app, f"/docs {command}", user=STRANGER)
        assert reactions == ["eyes", "confused"] and github.count("GET", permission) == 1
        assert f"`/docs {command}`: only owners, members, collaborators and users with write access" in (
            replies(github)[-1])
        assert github.count(kind="git") == 0 and github.count("PATCH", "/repos/{owner}/{repo}/check-runs/*") == 0
    assert "docbot:skip" not in summary(github) and github.reviews == []
    _, reactions = comment(docbot_app, "/docs regenrate")
    assert reactions == ["eyes", "confused"]
    assert "`/docs regenrate` is not a docbot command. Did you mean `/docs regenerate`?" in replies(github)[-1]
    assert "Valid commands: `/docs help`, `/docs regenerate`" in replies(github)[-1]
    github.set_permission("octo", "widgets", "dana", "write")
    _, reactions = comment(docbot_app, "/docs regenerate", user="dana", association="CONTRIBUTOR")
    assert reactions == ["eyes", "rocket"]
    edited = github.add_comment("octo", "widgets", 1, "no command yet", user=COLLABORATOR)
    github.world.events.clear()
    github.world.comments[edited["id"]].body = "/docs skip"  # edits never run a command
    answer = docbot_app.deliver("issue_comment", "edited", edited).json()
    assert answer["status"] == "ignored" and docbot_app.run_jobs() == []
    assert github.reactions(edited["id"]) == []


def test_skip_then_a_push_then_resume(github, docbot_app):
    make_repo(github, "branch")
    github.open_pull_request("octo", "widgets", head="feature", files=CHANGE)
    run_jobs(docbot_app)
    first_tip = tip(github, "docbot/pr-1")
    _, reactions = comment(docbot_app, "/docs skip")
    assert reactions == ["eyes", "rocket"] and "docbot: skipped" in summary(github)
    head = github.push_commit("octo", "widgets", "feature", {"src/widgets/shapes.py": SOURCE + "\nSIDES = 4\n"})
    outcomes, _ = run_jobs(docbot_app)
    assert outcomes == ["skipped: /docs skip"]
    assert check_run(github, head)["conclusion"] == "neutral"
    assert tip(github, "docbot/pr-1") == first_tip and "docbot: skipped" in summary(github)
    _, reactions = comment(docbot_app, "/docs skip")
    assert reactions == ["eyes", "confused"] and "docbot already skips this pull request" in replies(github)[-1]
    _, reactions = comment(docbot_app, "/docs regenerate")
    assert reactions == ["eyes", "confused"] and "`/docs resume` first" in replies(github)[-1]
    _, reactions = comment(docbot_app, "/docs resume")
    assert reactions == ["eyes", "rocket"]
    assert git(github).commit_info(tip(github, "docbot/pr-1")).parents == (head,)
    assert check_run(github, head)["conclusion"] == "action_required"
    assert "docbot:skip" not in summary(github) and "SIDES" in summary(github)


def test_a_pull_request_over_max_files_gets_a_hint_and_regenerate_documents_it(github, docbot_app):
    github.create_repo("octo", "widgets", files={**FILES, ".github/docbot.yml": "mode: branch\nmax_files: 1\n"})
    github.install("octo")
    github.set_permission("octo", "widgets", COLLABORATOR, "write")
    pull = github.open_pull_request("octo", "widgets", head="feature",
                                    files={**CHANGE, "src/widgets/more.py": '"""More."""\n'})
    outcomes, _ = run_jobs(docbot_app)
    assert outcomes == ["held: 2 changed files, over max_files (1)"]
    run = check_run(github, pull["head"]["sha"])
    assert (run["conclusion"], run["output"]["title"]) == ("neutral", "2 files changed: over max_files (1)")
    assert [a["identifier"] for a in run["actions"]] == ["regenerate", "open_docs_pr"]
    assert "`/docs regenerate`" in summary(github) and tip(github, "docbot/pr-1") is None
    _, reactions = comment(docbot_app, "/docs regenerate")
    assert reactions == ["eyes", "rocket"]
    assert "docs/src/widgets/more.py_docs.md" in pages_on(github, "docbot/pr-1")
    assert check_run(github, pull["head"]["sha"])["conclusion"] == "action_required"
    assert "more.py" in summary(github)


def test_commit_mode_completes_the_check_run_on_docbots_own_commit_without_a_configured_bot_login(github, tmp_path):
    from apphost import RunningApp

    app = RunningApp(github, tmp_path / "no-login", bot_login=None)  # the worker asks GET /app for its slug
    try:
        assert not app.settings.bot_login
        make_repo(github, "commit")
        github.open_pull_request("octo", "widgets", head="feature", files=CHANGE)
        run_jobs(app)
        committed = tip(github, "feature")
        assert run_jobs(app)[0] == ["own push, docs current: check run only"]
        assert check_run(github, committed)["conclusion"] == "success"
        assert tip(github, "feature") == committed  # and no second commit
    finally:
        app.stop()
