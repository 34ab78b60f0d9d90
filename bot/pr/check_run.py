"""The `docbot` check run of a head: started once, completed with what the job found, failures said."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.config import RepoConfig
from bot.errors import DocbotError, GitHubError, is_permanent
from bot.github.records import CheckOutput, CheckRunInfo, PullInfo
from bot.pr.commands import CHECK_ACTIONS
from bot.pr.job_context import CHECK_NAME, JobContext

CHECK_LIMIT = 65_535  # characters of a check run's output.summary


@dataclass(frozen=True)
class Check:
    """This head's check run; `id` None when the repository turned check runs off."""

    id: int | None = None


class JobFailed(Exception):
    """A job step failed; carries what the job knew then, so the failure lands on the right check run."""

    def __init__(self, cause: Exception, config: RepoConfig | None = None, check: Check | None = None):
        super().__init__(str(cause))
        self.cause, self.config, self.check = cause, config, check


def start_check(ctx: JobContext, head_sha: str, config: RepoConfig | None) -> Check:
    """This head's check run, in progress: our own one reused if a run of this job already made it."""
    if config is not None and not config.check_run:
        return Check()
    runs = our_check_runs(ctx, head_sha)
    if runs:
        return Check(runs[0].id)
    return Check(ctx.api.create_check_run(ctx.repo, CHECK_NAME, head_sha, status="in_progress").id)


def our_check_runs(ctx: JobContext, head_sha: str) -> list[CheckRunInfo]:
    """This head's `docbot` check runs made by this App (any App may name a check run `docbot`)."""
    slug = ctx.bot_login.removesuffix("[bot]")
    return [r for r in ctx.api.list_check_runs(ctx.repo, head_sha, CHECK_NAME) if r.app_slug == slug]


def complete_check(ctx: JobContext, check: Check, conclusion: str, output: CheckOutput,
                   details_url: str | None = None, actions: list[dict[str, str]] | None = None) -> None:
    """Complete this head's check run; its buttons are `actions` (none unless given)."""
    if check.id is None:
        return
    text = output.text and cap_check_text(output.text)
    output = CheckOutput(output.title[:255], cap_check_text(output.summary), text)
    ctx.api.update_check_run(ctx.repo, check.id, status="completed", conclusion=conclusion,
                             output=output, details_url=details_url, actions=actions or [])


def check_buttons(ctx: JobContext, pull: PullInfo) -> list[dict[str, str]]:
    """Regenerate, and Open docs PR where a companion PR is possible (not for forks)."""
    same_repo = (pull.head_repo or "").lower() == ctx.repo.lower()
    return [{"label": label, "description": description, "identifier": identifier}
            for identifier, (label, description, _) in CHECK_ACTIONS.items()
            if same_repo or identifier != "open_docs_pr"]


def report_failure(ctx: JobContext, exc: Exception, config: RepoConfig | None = None,
                   check: Check | None = None, *, retried: bool | None = None) -> None:
    """Tell the PR why the job failed and what comes next, on this head's check run; never let the report hide
    the failure. `retried`: whether this kind of failure is run again (default: unless the error is permanent);
    on the job's last attempt it is not, whatever the failure."""
    if config is not None and (not config.check_run or config.mode == "off"):
        return
    reason = str(exc) if isinstance(exc, DocbotError) else f"an internal error ({type(exc).__name__})"
    retried = not is_permanent(exc) if retried is None else retried
    summary = f"docbot could not finish: {reason}.\n\n{next_step(ctx, exc, retried)}"
    try:
        if (check is None or check.id is None) and ctx.job.head_sha:
            check = start_check(ctx, ctx.job.head_sha, config)
        if check is not None:
            complete_check(ctx, check, "failure", CheckOutput("docbot failed", summary))
    except GitHubError as report_error:
        ctx.log("could not report the failure: %s", report_error, level=logging.WARNING)


def complete_lost_check(ctx: JobContext, head_sha: str, exc: Exception) -> bool:
    """Fail this head's check run that a job killed past its time limit (or whose process died) left in progress.

    True when it did; never creates a check run (the repository may have turned them off).
    """
    runs = our_check_runs(ctx, head_sha)
    if not runs or runs[0].status == "completed":
        return False
    summary = f"docbot's job was stopped before it could finish: {exc}.\n\n{next_step(ctx, exc, not is_permanent(exc))}"
    complete_check(ctx, Check(runs[0].id), "failure", CheckOutput("docbot was stopped", summary))
    return True


def next_step(ctx: JobContext, exc: Exception, retried: bool) -> str:
    """What happens after a failure: docbot's retry (never after the job's last attempt), or what the user can
    do about it."""
    log = f"the App's operators can find delivery `{ctx.job.delivery_id}` in the worker log"
    if retried and not ctx.job.last_attempt:
        return f"docbot retries a passing failure on its own; {log}."
    if is_permanent(exc):
        return ("A retry cannot mend this, so docbot does not try again: fix the cause, then push again or "
                "comment `/docs regenerate`.")
    return f"Comment `/docs regenerate` to try again; {log}."


def cap_check_text(text: str) -> str:
    """Check-run text cut (with a note) to GitHub's 65,535 characters."""
    if len(text) <= CHECK_LIMIT:
        return text
    note = "\n\n*… cut to stay under GitHub's 65,535-character limit.*"
    return text[: CHECK_LIMIT - len(note)].rsplit("\n", 1)[0] + note
