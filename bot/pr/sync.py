"""The PR jobs, step by step: sync a pull request's docs, clean up after it closes."""

from __future__ import annotations

from bot.app.locks import job_lock
from bot.engine.layout import Layout
from bot.github.records import CheckOutput, PullInfo
from bot.pr.check_run import Check, JobFailed, complete_check, start_check
from bot.pr.companion import close_companion
from bot.pr.job_context import COMPANION_PREFIX, JobContext
from bot.pr.publish import Outcome, Planned, publish
from bot.pr.regenerate import ONBOARDING, fetch_pull, plan_docs, read_config


def pull_lock_key(ctx: JobContext) -> str:
    return f"{ctx.repo.lower()}#{ctx.job.pr_number}"


def is_companion(ctx: JobContext) -> bool:
    """Our own companion PRs (head docbot/pr-<n> in the base repository) are never documented."""
    job = ctx.job
    return (job.head_ref or "").startswith(COMPANION_PREFIX) and (job.head_repo or "").lower() == ctx.repo.lower()


def sync_pull(ctx: JobContext) -> str:
    """opened / synchronize / reopened / ready_for_review: bring the PR's docs up to date."""
    if is_companion(ctx):
        return "skipped: a docbot companion PR"
    with job_lock(ctx.settings, pull_lock_key(ctx)):
        return sync_locked(ctx).text


def sync_locked(ctx: JobContext, mode: str | None = None, *, explicit: bool = False) -> Outcome:
    """The sync under the PR's lock; `mode` overrides the config's, `explicit` the draft rule and loop guard.

    A failure leaves as JobFailed, carrying the config and check run it knew, for the one report.
    """
    planned = prepare(ctx, explicit)
    if isinstance(planned, Outcome):
        return planned
    ctx.stage("planned")
    try:
        # Re-read under the lock: a job whose head moved on publishes nothing.
        pull = ctx.api.get_pull(ctx.repo, ctx.job.pr_number)
        if pull.head_sha != planned.work.refs.head_sha or pull.state != "open":
            return supersede(ctx, planned.check, pull)
        return publish(ctx, pull, planned, mode, explicit=explicit)
    except Exception as exc:
        raise JobFailed(exc, planned.config, planned.check) from exc


def aimed_at(ctx: JobContext, pull: PullInfo) -> JobContext:
    """A command's job (which knows only the PR number) aimed at the PR's current head."""
    return ctx.aimed_at(head_sha=pull.head_sha, head_ref=pull.head_ref, head_repo=pull.head_repo,
                        base_ref=pull.base_ref, draft=pull.draft)


def prepare(ctx: JobContext, explicit: bool = False) -> Planned | Outcome:
    """Fetch, read the config, start the check run and plan the docs; an Outcome says why to stop."""
    job = ctx.job
    config = check = None
    try:
        with ctx.git_cache() as cache:
            refs = fetch_pull(cache, job.pr_number, job.head_sha, job.base_ref)
            ctx.stage("fetched")
            config, note = read_config(cache, refs, ctx.repo.split("/")[1])
            if config.mode == "off":
                return Outcome("skipped: mode is off", "off")
            if job.draft and not config.draft_prs and not explicit:
                return Outcome("skipped: draft pull request", "draft")
            check = start_check(ctx, refs.head_sha, config)
            root_index = Layout(config.docs_dir).folder_page("", "index.md")
            if refs.onboarding_tip and not cache.modes(refs.default_sha, [root_index]):
                return being_set_up(ctx, check)
            work = plan_docs(cache, ctx.repo, config, refs, None if explicit else config.max_files)
    except Exception as exc:
        raise JobFailed(exc, config, check) from exc
    stats = work.stats
    ctx.log("planned %d page change(s); blobs fetched %d of %d planned, %d unplanned read(s)",
            len(work.plan.changed_pages), stats.fetched, stats.planned, stats.unplanned)
    return Planned(config, check, work, (note,) if note else ())


def being_set_up(ctx: JobContext, check: Check) -> Outcome:
    """No mirror on the default branch yet, and docbot's onboarding PR is open: nothing fails meanwhile."""
    pull = ctx.api.find_open_pull(ctx.repo, f"{ctx.owner}:{ONBOARDING}", ctx.job.base_ref or "")
    where = f"#{pull.number}" if pull else f"the `{ONBOARDING}` pull request"
    complete_check(ctx, check, "neutral", CheckOutput(
        "docbot is being set up", f"This repository has no documentation mirror yet: docbot proposed one in {where}. "
        "Once it is merged, pull requests get their pages."), details_url=pull.html_url if pull else None)
    return Outcome(f"skipped: being set up ({where})", "onboarding")


def supersede(ctx: JobContext, check: Check, pull: PullInfo) -> Outcome:
    """The head moved on (or the PR closed) while this job ran: say so on this head's check run."""
    where = f"the head is now `{pull.head_sha[:12]}`" if pull.state == "open" else "the pull request is closed"
    complete_check(ctx, check, "neutral", CheckOutput("Superseded", f"Nothing was published: {where}."))
    return Outcome(f"superseded: {where}", "superseded")


def close_pull(ctx: JobContext) -> str:
    """closed (merged or not): the companion PR is closed and its branch deleted."""
    if is_companion(ctx):
        return "skipped: a docbot companion PR"
    with job_lock(ctx.settings, pull_lock_key(ctx)):
        return close_companion(ctx)
