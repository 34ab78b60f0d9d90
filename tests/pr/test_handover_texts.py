"""What the summary and the check run say about a hand-over, and that they stay under GitHub's limits."""

from __future__ import annotations

import pytest

from bot.app.events import Job
from bot.app.settings import Settings
from bot.engine.markdown import COMMENT_LIMIT
from bot.engine.planner import FileReport, Plan
from bot.engine.suggestions import OVER_LIMIT, Leftover
from bot.github.client import GitHubApi
from bot.github.records import PullInfo
from bot.pr.check_run import check_buttons
from bot.pr.commands import CHECK_ACTIONS
from bot.pr.companion import Companion
from bot.pr.forks import patch_instructions
from bot.pr.job_context import JobContext
from bot.pr.modes import Handover
from bot.pr.publish import destination, summary_text
from bot.pr.regenerate import DocWork, PullRefs

HEAD = "a" * 40


def context(tmp_path) -> JobContext:
    job = Job("pr_sync", "d-1", 1, "octo/widgets", 7, HEAD, "feature", "forker/widgets", "main", "alice", "User")
    settings = Settings(api_url="https://api.github.com", data_dir=tmp_path)
    return JobContext(job, settings, GitHubApi(settings.api_url, "t"), "t", "docbot[bot]")


def pull(head_repo: str | None = "forker/widgets") -> PullInfo:
    return PullInfo(7, "open", "https://github.com/octo/widgets/pull/7", "t", "", HEAD, "feature", head_repo,
                    "User", "main", False, True)


def work(pages: int) -> DocWork:
    writes = {f"docs/pkg/mod_{i}.py_docs.md": "x" for i in range(pages)}
    files = [FileReport(f"pkg/mod_{i}.py", "modified", None, {"Functions": (f"f{i}",)}) for i in range(pages)]
    return DocWork(Plan(writes=writes, files=files), PullRefs(HEAD, HEAD, HEAD, None), "b" * 40)


def test_a_huge_fork_summary_keeps_the_patch_and_stays_under_the_limit(tmp_path):
    ctx, big = context(tmp_path), work(3000)
    patch = patch_instructions("docbot/pr-7", "octo/widgets", "+line\n" * 20_000, can_push=True)
    leftovers = tuple(Leftover(p, OVER_LIMIT, "needs 3 comment(s)") for p in big.plan.writes)
    handover = Handover(Companion("docbot/pr-7", fork=True), suggested=30, leftovers=leftovers, fork_patch=patch)
    text = summary_text(ctx, pull(), big, handover, ["a note"])
    assert len(text) <= COMMENT_LIMIT
    assert text.endswith(patch + "\n") and "- … and 2950 more page(s)" in text
    assert "30 suggestion(s) in docbot's review" in text and "The other pages are on the branch" in text


@pytest.mark.parametrize(("handover", "said"), [
    (None, ""),
    (Handover(committed="c" * 40), "docbot pushed `cccccccccccc` onto `feature` with the regenerated pages."),
    (Handover(Companion("docbot/pr-7", retired=True), suggested=2),
     "2 suggestion(s) in docbot's review: add them to a batch and commit them together."),
    (Handover(Companion("docbot/pr-7")),
     "Regenerated pages are in #? (branch `docbot/pr-7`); merge it to update this pull request."),
])
def test_destination(tmp_path, handover, said):
    assert destination(context(tmp_path), pull(), handover) == said


def test_check_buttons_fit_githubs_limits_and_forks_get_no_docs_pr(tmp_path):
    ctx = context(tmp_path)
    same = check_buttons(ctx, pull("octo/widgets"))
    assert [b["identifier"] for b in same] == list(CHECK_ACTIONS) == ["regenerate", "open_docs_pr"]
    assert all(len(b["label"]) <= 20 and len(b["description"]) <= 40 and len(b["identifier"]) <= 20 for b in same)
    assert [b["label"] for b in check_buttons(ctx, pull())] == ["Regenerate"]
    assert [command for _, _, command in CHECK_ACTIONS.values()] == ["regenerate", "branch"]
