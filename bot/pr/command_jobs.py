"""The `/docs` command and check-run button jobs: who asked, what runs, and the answer on the PR."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from bot.app.locks import job_lock
from bot.errors import DocbotError
from bot.pr.check_run import JobFailed, report_failure
from bot.pr.commands import (
    CHECK_ACTIONS,
    CONFUSED,
    EYES,
    ROCKET,
    Command,
    CommandResult,
    may_run,
    needs_permission_lookup,
    parse_commands,
    reaction_for,
    render_reply,
)
from bot.pr.forks import PullRepos, push_target
from bot.pr.job_context import JobContext
from bot.pr.publish import Outcome
from bot.pr.summary_comment import is_skipped, read_summary, resume_body, skip_body, upsert_summary
from bot.pr.sync import aimed_at, is_companion, pull_lock_key, sync_locked

MODES = {"regenerate": None, "resume": None, "suggest": "suggestions", "branch": "branch", "commit": "commit"}
CURRENT = "the docs are current"


def run_commands(ctx: JobContext) -> str:
    """A PR comment: 👀, each `/docs` command run or refused, then 🚀 and/or 😕 and a reply that says why."""
    job = ctx.job
    commands = parse_commands(job.comment_body or "")
    if not commands or job.comment_id is None:
        return "no docbot command"
    ctx.api.add_reaction(ctx.repo, job.comment_id, EYES)
    permission = cache(lambda: ctx.api.collaborator_permission(ctx.repo, job.sender_login))
    with job_lock(ctx.settings, pull_lock_key(ctx)):
        results = [run_command(ctx, command, permission) for command in commands]
    for reaction in (ROCKET, CONFUSED):
        if any(reaction_for(r) == reaction for r in results):
            ctx.api.add_reaction(ctx.repo, job.comment_id, reaction)
    reply = render_reply(results)
    if reply and job.pr_number is not None:
        ctx.api.create_issue_comment(ctx.repo, job.pr_number, reply)
    return "; ".join(f"/docs {r.command.name}: {r.outcome}" for r in results)


def run_command(ctx: JobContext, command: Command, permission: Callable[[], str]) -> CommandResult:
    """One command: refused when over the limit, unknown or not allowed; else run, failures said in words."""
    if command.over_limit:
        return CommandResult(command, "over_limit")
    if not command.known:
        return CommandResult(command, "unknown")
    association = ctx.job.author_association
    asked = permission() if needs_permission_lookup(association, command) else None
    if not may_run(command, association, asked):
        return CommandResult(command, "not_allowed")
    try:
        return ACTIONS[command.name](ctx, command)
    except (DocbotError, JobFailed) as exc:
        failed = exc if isinstance(exc, JobFailed) else JobFailed(exc)
        refused = isinstance(failed.cause, DocbotError)  # answered in the reply, not retried
        report_failure(ctx, failed.cause, failed.config, failed.check, retried=not refused)
        if not refused:
            raise failed.cause from None  # a bug, not a refusal: the queue retries and logs it
        ctx.log("/docs %s failed: %s", command.name, failed.cause)
        return CommandResult(command, "failed", str(failed.cause))


def run_check_action(ctx: JobContext) -> str:
    """A check-run button: the clicking user needs write access; fork PRs are found by their head sha."""
    job = ctx.job
    if job.action_identifier not in CHECK_ACTIONS:
        return f"ignored: unknown check-run action {job.action_identifier!r}"
    command = Command(CHECK_ACTIONS[job.action_identifier][2])
    if not may_run(command, None, ctx.api.collaborator_permission(ctx.repo, job.sender_login)):
        return f"not allowed: {job.sender_login} has no write access to {ctx.repo}"
    if job.pr_number is None:
        pull = ctx.api.find_pull_by_head_sha(ctx.repo, job.head_sha or "")
        if pull is None:
            return f"no open pull request has the head {(job.head_sha or '')[:12]}"
        ctx = ctx.aimed_at(pr_number=pull.number)
    with job_lock(ctx.settings, pull_lock_key(ctx)):
        result = ACTIONS[command.name](ctx, command)
    return f"button {job.action_identifier}: {result.outcome}" + (f" ({result.detail})" if result.detail else "")


def sync_command(ctx: JobContext, command: Command) -> CommandResult:
    """regenerate / suggest / branch / commit / resume: run the PR job now, in the command's mode."""
    pull = ctx.api.get_pull(ctx.repo, ctx.job.pr_number or 0)
    ctx = aimed_at(ctx, pull)
    refusal = ""
    if pull.state != "open":
        refusal = "the pull request is closed"
    elif is_companion(ctx):
        refusal = "this is docbot's own companion pull request"
    elif command.name == "commit" and not (decision := push_target(PullRepos.from_pull(pull, ctx.repo))).allowed:
        refusal = f"docbot may not push to this branch: {decision.reason}"
    if refusal:
        return CommandResult(command, "refused", refusal)
    return answer(command, sync_locked(ctx, MODES[command.name], explicit=True))


def answer(command: Command, outcome: Outcome) -> CommandResult:
    """A sync's outcome in the terms of the command that asked for it."""
    refusals = {"skipped": "docbot skips this pull request: comment `/docs resume` first",
                "off": "docbot is off in this repository (`mode: off` in `.github/docbot.yml`)",
                "superseded": "the head moved on while docbot worked; the job of the new head publishes"}
    if outcome.kind in refusals:
        return CommandResult(command, "refused", refusals[outcome.kind])
    if outcome.kind == "current":
        return CommandResult(command, "done" if command.name in ("regenerate", "resume") else "nothing_to_do",
                             CURRENT)
    handover = outcome.handover
    if command.name == "commit" and handover is not None and not handover.committed:
        return CommandResult(command, "refused", handover.refusal or "nothing was committed")
    if command.name == "suggest" and handover is not None and not handover.suggested:
        return CommandResult(command, "nothing_to_do", "no page can be suggested here, so they are all on the "
                                                       "companion branch (the summary says why)")
    return CommandResult(command, "done", outcome.text)


def skip(ctx: JobContext, command: Command) -> CommandResult:
    """Mark the PR skipped in the sticky comment, then let the job set this head's check run to neutral."""
    number = ctx.job.pr_number or 0
    summary = read_summary(ctx, number)
    if is_skipped(summary):
        return CommandResult(command, "nothing_to_do", "docbot already skips this pull request")
    upsert_summary(ctx, number, summary, skip_body(ctx.job.sender_login), create=True)
    pull = ctx.api.get_pull(ctx.repo, number)
    if pull.state == "open":
        sync_locked(aimed_at(ctx, pull), explicit=True)
    return CommandResult(command, "done")


def resume(ctx: JobContext, command: Command) -> CommandResult:
    """Clear the skip mark, then run the PR job."""
    summary = read_summary(ctx, ctx.job.pr_number or 0)
    if summary is None or not is_skipped(summary):
        return CommandResult(command, "nothing_to_do", "docbot is not skipping this pull request")
    ctx.api.edit_issue_comment(ctx.repo, summary.id, resume_body(ctx.job.sender_login))
    return sync_command(ctx, command)


ACTIONS: dict[str, Callable[[JobContext, Command], CommandResult]] = {
    "help": lambda ctx, command: CommandResult(command, "done"),
    "regenerate": sync_command,
    "suggest": sync_command,
    "branch": sync_command,
    "commit": sync_command,
    "skip": skip,
    "resume": resume,
}
