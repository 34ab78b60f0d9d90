"""The companion branch `docbot/pr-<n>` and its PR into the head branch: pushed, reused, retired."""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.markdown import COMMENT_LIMIT
from bot.engine.planner import Plan
from bot.errors import GitHubError
from bot.github.records import PullInfo
from bot.pr.job_context import JobContext, companion_branch
from bot.pr.regenerate import DocWork

BODY_MARKER = "<!-- docbot:companion -->"
_PAGES_SHOWN = 200


@dataclass(frozen=True)
class Companion:
    """Where a PR's regenerated docs went."""

    branch: str
    pull: PullInfo | None = None  # the open companion PR (same-repository PRs only)
    retired: bool = False  # docs are current: the branch and its PR are gone
    fork: bool = False  # head in another repository: a PR cannot target its branch


def is_same_repo(ctx: JobContext, pull: PullInfo) -> bool:
    return (pull.head_repo or "").lower() == ctx.repo.lower()


def companion_body(number: int, head_ref: str, plan: Plan) -> str:
    """The companion PR's description: what it carries, for which PR (no head sha: it must stay stable)."""
    pages = [f"- `{p}` written" for p in sorted(plan.writes)] + [f"- `{p}` deleted" for p in sorted(plan.deletes)]
    more = [f"- … and {len(pages) - _PAGES_SHOWN} more page(s)"] if len(pages) > _PAGES_SHOWN else []
    lines = [
        BODY_MARKER,
        f"Regenerated documentation for #{number}: {len(plan.files)} changed file(s), "
        f"{len(plan.writes)} page(s) written, {len(plan.deletes)} deleted.",
        "",
        f"Merge it into `{head_ref}` to bring the docs of #{number} up to date. docbot rewrites this branch "
        f"on every push to #{number} and closes this pull request once the docs are current.",
        "",
        *pages[:_PAGES_SHOWN],
        *more,
    ]
    return "\n".join(lines)[: COMMENT_LIMIT - 1] + "\n"


def sync_companion(ctx: JobContext, pull: PullInfo, work: DocWork) -> Companion:
    """Point the companion branch at the docs commit and keep one companion PR open into the head branch."""
    branch = companion_branch(pull.number)
    if work.commit is None:
        retire_companion(ctx, pull, work)
        return Companion(branch, retired=True)
    if work.needs_push:
        with ctx.git_cache() as cache:
            cache.push(work.commit, f"refs/heads/{branch}", work.refs.companion_tip)
        ctx.log("pushed %s to %s", work.commit[:12], branch)
    ctx.stage("pushed")
    if not is_same_repo(ctx, pull):
        return Companion(branch, fork=True)
    return Companion(branch, open_companion_pull(ctx, pull, work))


def open_companion_pull(ctx: JobContext, pull: PullInfo, work: DocWork) -> PullInfo:
    """The open companion PR, created or its description refreshed (left alone when unchanged)."""
    branch = companion_branch(pull.number)
    body = companion_body(pull.number, pull.head_ref, work.plan)
    # A new branch has no open PR (GitHub closes a PR whose head branch goes): create without looking.
    if work.refs.companion_tip is None:
        created = _create_companion_pull(ctx, pull, body)
        if created is not None:
            return created
    existing = ctx.api.find_open_pull(ctx.repo, f"{ctx.owner}:{branch}", pull.head_ref)
    if existing is None:
        return ctx.api.create_pull(ctx.repo, title=_title(pull), body=body, head=branch, base=pull.head_ref)
    if existing.body.strip() != body.strip():
        ctx.api.edit_pull(ctx.repo, existing.number, body=body)
    return existing


def _title(pull: PullInfo) -> str:
    return f"docs: regenerated documentation for #{pull.number}"


def _create_companion_pull(ctx: JobContext, pull: PullInfo, body: str) -> PullInfo | None:
    """Create the companion PR; None when GitHub says one is open already (422), to look it up."""
    try:
        return ctx.api.create_pull(ctx.repo, title=_title(pull), body=body, head=companion_branch(pull.number),
                                   base=pull.head_ref)
    except GitHubError as exc:
        if exc.status != 422:
            raise
        return None


def retire_companion(ctx: JobContext, pull: PullInfo, work: DocWork) -> None:
    """Docs are current: close the companion PR, then delete its branch (nothing to do without one)."""
    tip = work.refs.companion_tip
    if tip is None:
        return
    branch = companion_branch(pull.number)
    if is_same_repo(ctx, pull):
        existing = ctx.api.find_open_pull(ctx.repo, f"{ctx.owner}:{branch}", pull.head_ref)
        if existing is not None:
            ctx.api.edit_pull(ctx.repo, existing.number, state="closed")
    with ctx.git_cache() as cache:
        cache.push(None, f"refs/heads/{branch}", tip)
    ctx.log("retired %s: the docs are current", branch)


def close_companion(ctx: JobContext) -> str:
    """The PR closed: close its companion PR and delete the companion branch, whatever they hold."""
    job = ctx.job
    branch = companion_branch(job.pr_number or 0)
    closed = False
    if job.head_ref and (job.head_repo or "").lower() == ctx.repo.lower():
        existing = ctx.api.find_open_pull(ctx.repo, f"{ctx.owner}:{branch}", job.head_ref)
        if existing is not None:
            ctx.api.edit_pull(ctx.repo, existing.number, state="closed")
            closed = True
    deleted = ctx.api.delete_branch(ctx.repo, branch)
    return f"companion PR {'closed' if closed else 'none open'}, branch {'deleted' if deleted else 'absent'}"
