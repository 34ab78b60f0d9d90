"""Handing the regenerated pages to a PR: on the companion branch, or as one commit onto the PR branch."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.engine.suggestions import Leftover
from bot.errors import GitError
from bot.github.records import PullInfo
from bot.pr.companion import Companion, is_same_repo, retire_companion, sync_companion
from bot.pr.forks import PullRepos, patch_instructions, push_target
from bot.pr.job_context import JobContext
from bot.pr.regenerate import DocWork


@dataclass(frozen=True)
class Handover:
    """Where one job put the pages, for the summary, the check run and a command's answer."""

    companion: Companion | None = None  # the companion branch: every page, or what suggestions could not carry
    suggested: int = 0  # docbot's suggestions standing on this head
    leftovers: tuple[Leftover, ...] = ()  # pages that are on the companion branch instead of suggested
    committed: str | None = None  # the docs commit pushed onto the PR branch
    refusal: str = ""  # why the commit could not be pushed
    fork_patch: str = ""  # fork PRs: the collapsed patch and the one command that applies it
    notes: tuple[str, ...] = ()


def branch_handover(ctx: JobContext, pull: PullInfo, work: DocWork) -> Handover:
    """Every page on the companion branch (with its PR, or for a fork the patch and the command)."""
    companion = sync_companion(ctx, pull, work)
    return Handover(companion, fork_patch=fork_patch(ctx, pull, work, companion))


def fork_patch(ctx: JobContext, pull: PullInfo, work: DocWork, companion: Companion) -> str:
    """The summary's collapsed block for a fork PR: apply command, `/docs commit` when allowed, the patch."""
    if not companion.fork or work.commit is None:
        return ""
    with ctx.git_cache() as cache:
        patch = cache.diff(work.refs.head_sha, work.commit)
    can_push = push_target(PullRepos.from_pull(pull, ctx.repo)).allowed
    return patch_instructions(companion.branch, ctx.repo, patch, can_push=can_push, server_url=ctx.settings.git_url)


def commit_handover(ctx: JobContext, pull: PullInfo, work: DocWork) -> Handover:
    """One commit with the doc changes onto the PR branch where docbot may push; else the companion branch."""
    if work.commit is None:
        return branch_handover(ctx, pull, work)  # nothing to commit: retires a companion branch left over
    decision = push_target(PullRepos.from_pull(pull, ctx.repo))
    refusal = push_onto_head(ctx, pull, work) if decision.allowed else decision.reason
    if refusal:
        fallback = branch_handover(ctx, pull, work)
        note = f"Not committed onto `{pull.head_ref}`: {refusal}. The pages are on the companion branch instead."
        return replace(fallback, refusal=refusal, notes=(note,))
    retire_companion(ctx, pull, work)  # its pages are on the PR branch now
    return Handover(committed=work.commit)


def push_onto_head(ctx: JobContext, pull: PullInfo, work: DocWork) -> str:
    """Push the docs commit (parent: the head) onto the PR branch, only if the branch is still at the head."""
    url = "origin" if is_same_repo(ctx, pull) else f"{ctx.settings.git_url}/{pull.head_repo}.git"
    try:
        with ctx.git_cache() as cache:
            cache.push(work.commit, f"refs/heads/{pull.head_ref}", work.refs.head_sha, url)
    except GitError as exc:
        return f"pushing to {pull.head_repo or 'the fork'} failed ({exc})"
    ctx.log("committed %s onto %s of %s", (work.commit or "")[:12], pull.head_ref, pull.head_repo)
    return ""
