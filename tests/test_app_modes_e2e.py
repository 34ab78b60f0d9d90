"""docbot's modes, commands and fork rules end to end: signed webhooks from the GitHub double -> the real
server and queue -> reviews with suggestions, commits onto PR branches, fork patches, `/docs` replies and
check-run buttons, through the real GitHub API and real git."""

from __future__ import annotations

import pytest

from bot.commands import REPLY_MARKER
from bot.summary import MARKER

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
    # The config refuses `.github/...` but not another spelling, which a case-insensitive checkout would merge.
    config = "mode: commit\ndocs_dir: .GitHub/Workflows/docs\n"
    github.create_repo("octo", "widgets", files={**FILES, ".github/docbot.yml": config})
    github.install("octo")
    pull = github.open_pull_request("octo", "widgets", head="feature", files=CHANGE)
    outcomes, _ = run_jobs(docbot_app)
    assert tip(github, "feature") == pull["head"]["sha"] and tip(github, "docbot/pr-1") is None
    run = check_run(github, pull["head"]["sha"])
    assert run["conclusion"] == "action_required"
    assert "never writes under `.github/workflows/`" in run["output"]["summary"]
