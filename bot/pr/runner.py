"""The job runner: one entry per job kind, with failures caught in one place and shown on the PR."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from bot.app.events import Job
from bot.app.metrics import count_github_use
from bot.app.settings import Settings
from bot.errors import GitError, GitHubError
from bot.github.app_auth import InstallationTokens, app_jwt
from bot.github.client import GitHubApi, app_slug
from bot.pr.check_run import JobFailed, complete_lost_check, report_failure
from bot.pr.command_jobs import run_check_action, run_commands
from bot.pr.job_context import JobContext
from bot.pr.lifecycle import onboard, rerun, sync_default_branch
from bot.pr.sync import close_pull, sync_pull

logger = logging.getLogger(__name__)

Stage = Callable[[str], None]
RUNNERS: dict[str, Callable[[JobContext], str]] = {
    "pr_sync": sync_pull,
    "pr_closed": close_pull,
    "command": run_commands,
    "check_action": run_check_action,
    "rerun": rerun,
    "push_sync": sync_default_branch,
    "onboard": onboard,
}

LOST_REPORTED = frozenset({"pr_sync", "command", "check_action", "rerun"})  # the kinds that keep a check run

_guard = threading.Lock()
_tokens: dict[tuple[str, str], InstallationTokens] = {}
_logins: dict[tuple[str, str], str] = {}


def run(job: Job, settings: Settings, *, on_stage: Stage | None = None) -> str:
    """Run one job and return a one-line outcome; a failure is logged, shown on the check run, re-raised.

    Re-raising lets the queue retry: every step is idempotent, so a retry or a re-run after a crash
    publishes the same result once. `on_stage(name)` is called at named points of the job. A cached
    installation token that GitHub refuses (revoked, or issued by another server) is dropped and the
    job runs once more with a fresh one.
    """
    if job.kind not in RUNNERS:
        return f"{job.kind} jobs are not handled yet"
    for last_try in (False, True):
        ctx = None
        try:
            ctx = context_for(job, settings, on_stage)
            return RUNNERS[job.kind](ctx)
        except Exception as exc:
            failed = exc if isinstance(exc, JobFailed) else JobFailed(exc)
            if not last_try and ctx is not None and refused_credentials(failed.cause):
                installation_tokens(settings).forget(job.installation_id)
                continue
            # One line: the queue logs the traceback once, when it gives the delivery up.
            logger.error("delivery %s: %s job for %s#%s failed: %s", job.delivery_id, job.kind, job.repo,
                         job.pr_number, type(failed.cause).__name__)
            if ctx is not None and (job.kind == "pr_sync" or failed is exc):
                report_failure(ctx, failed.cause, failed.config, failed.check)
            raise failed.cause from None
        finally:
            if ctx is not None:
                close_and_count(ctx)
    raise AssertionError("unreachable")


def report_lost(job: Job, settings: Settings, exc: Exception) -> str:
    """The JobHost's reporter, in a fresh process: a job killed past its time limit, or whose process died,
    could not say so; fail the check run it left in progress (none is created). Returns a one-line outcome."""
    if job.kind not in LOST_REPORTED:
        return f"{job.kind} jobs keep no check run"
    ctx = context_for(job, settings, None)
    try:
        head_sha = job.head_sha
        if head_sha is None and job.pr_number is not None:  # a command's job learns its head from the API
            head_sha = ctx.api.get_pull(job.repo, job.pr_number).head_sha
        if head_sha is not None and complete_lost_check(ctx, head_sha, exc):
            return f"the check run on {head_sha[:12]} says the job was stopped"
        return "no check run in progress to complete"
    finally:
        close_and_count(ctx)


def close_and_count(ctx: JobContext) -> None:
    """Close the job's GitHub client and add what it sent to the counters of /metrics: one write per job,
    shared by every process. A counter that cannot be written costs a warning, never the job."""
    ctx.api.close()
    counts = ctx.api.counts
    try:
        count_github_use(ctx.settings, counts.requests, counts.rate_limit_waits, counts.rate_limit_seconds)
    except Exception as exc:  # noqa: BLE001 - a lost Redis or a locked log file: the job's work is done
        ctx.log("GitHub requests not counted: %s: %s", type(exc).__name__, exc, level=logging.WARNING)


def refused_credentials(exc: Exception) -> bool:
    """GitHub said the token is not (or no longer) good: HTTP 401 from the API, or git asking for a login."""
    if isinstance(exc, GitHubError):
        return exc.status == 401
    return isinstance(exc, GitError) and ("could not read Username" in str(exc) or "Authentication failed" in str(exc))


def context_for(job: Job, settings: Settings, on_stage: Stage | None) -> JobContext:
    """An authenticated context: the installation token comes from a per-process cache."""
    token = installation_tokens(settings).get(job.installation_id)
    api = GitHubApi(settings.api_url, token, settings.seconds_between_requests, settings.seconds_between_writes)
    return JobContext(job, settings, api, token, app_bot_login(settings), on_stage)


def installation_tokens(settings: Settings) -> InstallationTokens:
    app_id, key = settings.require_app_credentials()
    with _guard:
        key_of = (app_id, settings.api_url)
        if key_of not in _tokens:
            _tokens[key_of] = InstallationTokens(app_id, key, settings.api_url)
        return _tokens[key_of]


def app_bot_login(settings: Settings) -> str:
    """`<slug>[bot]`: DOCBOT_BOT_LOGIN, or asked of GitHub once per process."""
    if settings.bot_login:
        return settings.bot_login
    app_id, key = settings.require_app_credentials()
    with _guard:
        key_of = (app_id, settings.api_url)
        if key_of not in _logins:
            _logins[key_of] = app_slug(settings.api_url, app_jwt(app_id, key)) + "[bot]"
        return _logins[key_of]
