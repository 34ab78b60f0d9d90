"""Publishing one PR job: the mode's hand-over, the sticky summary comment and the check run."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from bot.engine.markdown import COMMENT_LIMIT
from bot.engine.summary import Summary, render_summary
from bot.errors import DocbotError, GitHubError
from bot.github.records import CheckOutput, PullInfo
from bot.pr.commands import CHECK_ACTIONS
from bot.pr.context import CHECK_NAME, JobContext
from bot.pr.forks import touches_workflows
from bot.pr.loop_guard import check_push
from bot.pr.modes import Handover, branch_handover, commit_handover
from bot.pr.regenerate import DocWork
from bot.pr.review import suggestions_handover
from bot.pr.summary_comment import SKIPPED_CHECK, is_skipped, own_summary, upsert_summary

CHECK_LIMIT = 65_535  # characters of a check run's output.summary
LEFTOVERS_SHOWN = 50
WORKFLOWS_NOTE = "docbot never writes under `.github/workflows/`, so it published none of these pages."

Publisher = Callable[[JobContext, PullInfo, DocWork], Handover]
PUBLISHERS: dict[str, Publisher] = {
    "auto": suggestions_handover,  # suggestions where GitHub allows them, the rest on the companion branch
    "suggestions": suggestions_handover,
    "branch": branch_handover,
    "commit": commit_handover,
}


@dataclass(frozen=True)
class Outcome:
    """What a sync did: one line for the log, a kind and the hand-over for a command's answer."""

    text: str
    kind: str = "published"  # published | current | skipped | off | draft | superseded | own_push
    handover: Handover | None = None


def publish(ctx: JobContext, pull: PullInfo, work: DocWork, notes: list[str], mode: str | None = None,
            *, explicit: bool = False) -> Outcome:
    """Hand the docs over as the mode says, then summary and check run; `explicit` (a person asked): no loop guard."""
    own = not explicit and is_own_push(ctx, work)
    if own and not work.plan and work.refs.companion_tip is None:
        finish_check(ctx, pull, work, None, notes)
        return Outcome("own push, docs current: check run only", "own_push")
    summary = own_summary(ctx, ctx.api.list_issue_comments(ctx.repo, pull.number))
    if is_skipped(summary):
        complete_check(ctx, "neutral", CheckOutput("Skipped: /docs skip", SKIPPED_CHECK))
        return Outcome("skipped: /docs skip", "skipped")
    if own and work.plan:  # committing or pushing again could loop: the check run says what is stale
        finish_check(ctx, pull, work, None, notes)
        return Outcome(f"own push, {len(work.plan.changed_pages)} page(s) stale: check run only", "own_push")
    handover = hand_over(ctx, pull, work, mode or (ctx.config.mode if ctx.config else "auto"))
    ctx.stage("companion")
    if ctx.config is None or ctx.config.summary_comment:
        text = summary_text(ctx, pull, work, handover, notes)
        upsert_summary(ctx, pull.number, summary, text, create=bool(work.plan))
    ctx.stage("summary")
    finish_check(ctx, pull, work, handover, notes)
    return Outcome(outcome_text(work, handover), "published" if work.plan else "current", handover)


def hand_over(ctx: JobContext, pull: PullInfo, work: DocWork, mode: str) -> Handover:
    if work.plan and touches_workflows(work.plan.changed_pages):
        return Handover(notes=(WORKFLOWS_NOTE,))
    return PUBLISHERS.get(mode, branch_handover)(ctx, pull, work)


def is_own_push(ctx: JobContext, work: DocWork) -> bool:
    """Pushed by the App's bot, or the head is docbot's commit (a cherry-pick of it) and the docs are current."""
    job = ctx.job
    verdict = check_push(job.sender_login, job.sender_type, work.head_message, ctx.bot_login.removesuffix("[bot]"))
    by_bot = job.sender_type == "Bot" and job.sender_login.lower() == ctx.bot_login.lower()
    return verdict.own_push and (by_bot or not work.plan)


def outcome_text(work: DocWork, handover: Handover) -> str:
    text = f"{len(work.plan.changed_pages)} page(s) stale"
    if not work.plan:
        return text + ", docs current"
    if handover.committed:
        return text + f", committed {handover.committed[:12]}"
    if handover.suggested:
        text += f", {handover.suggested} suggestion(s)"
    companion = handover.companion
    return text + (f", on {companion.branch}" if companion and not companion.retired else "")


def destination(ctx: JobContext, pull: PullInfo, handover: Handover | None) -> str:
    """One Markdown paragraph saying where the regenerated pages are."""
    if handover is None:
        return ""
    if handover.committed:
        return f"docbot pushed `{handover.committed[:12]}` onto `{pull.head_ref}` with the regenerated pages."
    parts = [f"{handover.suggested} suggestion(s) in docbot's review: add them to a batch and commit them "
             "together."] if handover.suggested else []
    what = "The other pages are" if handover.suggested else "Regenerated pages are"
    companion = handover.companion
    if companion is not None and not companion.retired and companion.fork:
        parts.append(f"{what} on the branch `{companion.branch}` of {ctx.repo}: a pull request cannot target a "
                     "fork's branch, so apply them with the one command under *Apply the docs to your fork*.")
    elif companion is not None and not companion.retired:
        number = companion.pull.number if companion.pull else "?"
        parts.append(f"{what} in #{number} (branch `{companion.branch}`); merge it to update this pull request.")
    return " ".join(parts)


def summary_text(ctx: JobContext, pull: PullInfo, work: DocWork, handover: Handover, notes: list[str]) -> str:
    """The sticky comment: keywords, pages, what was not suggested and a fork's patch, under GitHub's limit."""
    sections = []
    if handover.leftovers and handover.companion and not handover.companion.retired:
        shown = [f"- {leftover.describe()}" for leftover in handover.leftovers[:LEFTOVERS_SHOWN]]
        more = len(handover.leftovers) - len(shown)
        sections.append("\n".join([f"#### Not suggested — on `{handover.companion.branch}`", "", *shown,
                                   *([f"- … and {more} more page(s)"] if more > 0 else [])]))
    if handover.fork_patch:
        sections.append(handover.fork_patch)
    tail = "".join(f"\n{section}\n" for section in sections)
    summary = Summary(work.plan.files, sorted(work.plan.writes), sorted(work.plan.deletes), work.refs.head_sha,
                      destination(ctx, pull, handover), [*notes, *handover.notes])
    return render_summary(summary, limit=COMMENT_LIMIT - 1 - len(tail)) + tail


def start_check(ctx: JobContext, head_sha: str) -> None:
    """This head's check run, in progress: our own one reused if a run of this job already made it."""
    if ctx.config is not None and not ctx.config.check_run:
        return
    slug = ctx.bot_login.removesuffix("[bot]")
    runs = [r for r in ctx.api.list_check_runs(ctx.repo, head_sha, CHECK_NAME) if r.app_slug == slug]
    if runs:
        ctx.check_run_id = runs[0].id
    else:
        ctx.check_run_id = ctx.api.create_check_run(ctx.repo, CHECK_NAME, head_sha, status="in_progress").id


def complete_check(ctx: JobContext, conclusion: str, output: CheckOutput, details_url: str | None = None,
                   actions: list[dict[str, str]] | None = None) -> None:
    """Complete this head's check run; its buttons are `actions` (none unless given)."""
    if ctx.check_run_id is None:
        return
    text = output.text and cap_check_text(output.text)
    output = CheckOutput(output.title[:255], cap_check_text(output.summary), text)
    ctx.api.update_check_run(ctx.repo, ctx.check_run_id, status="completed", conclusion=conclusion,
                             output=output, details_url=details_url, actions=actions or [])


def finish_check(ctx: JobContext, pull: PullInfo, work: DocWork, handover: Handover | None,
                 notes: list[str]) -> None:
    """success when the docs are current, action_required (pages listed, buttons shown) when they are stale."""
    head = f"`{work.refs.head_sha[:12]}`"
    note_lines = [f"> {n}" for n in [*notes, *(handover.notes if handover else ())]]
    if not work.plan:
        summary = "\n".join([f"No mirror page needs to change at {head}.", *note_lines])
        complete_check(ctx, "success", CheckOutput("Documentation is current", summary))
        return
    where = destination(ctx, pull, handover)
    if handover is not None and handover.committed:
        summary = f"{where} The check run of that commit reports on them."
        complete_check(ctx, "neutral", CheckOutput("Documentation committed", summary))
        return
    pages = [f"- `{p}`" for p in work.plan.changed_pages]
    summary = "\n".join([f"These pages are stale at {head}:", "", *pages, "", where, *note_lines])
    companion = handover.companion if handover else None
    url = companion.pull.html_url if companion and companion.pull else pull.html_url
    title = f"{len(pages)} documentation page(s) to update"
    text = handover.fork_patch if handover and handover.fork_patch else None
    complete_check(ctx, "action_required", CheckOutput(title, summary, text), details_url=url,
                   actions=check_buttons(ctx, pull))


def check_buttons(ctx: JobContext, pull: PullInfo) -> list[dict[str, str]]:
    """Regenerate, and Open docs PR where a companion PR is possible (not for forks)."""
    same_repo = (pull.head_repo or "").lower() == ctx.repo.lower()
    return [{"label": label, "description": description, "identifier": identifier}
            for identifier, (label, description, _) in CHECK_ACTIONS.items()
            if same_repo or identifier != "open_docs_pr"]


def report_failure(ctx: JobContext, exc: Exception) -> None:
    """Tell the PR why the job failed, on this head's check run; never let the report hide the failure."""
    config = ctx.config
    if config is not None and (not config.check_run or config.mode == "off"):
        return
    reason = str(exc) if isinstance(exc, DocbotError) else f"an internal error ({type(exc).__name__})"
    summary = (f"docbot could not finish: {reason}.\n\nIt retries on its own; the App's operators can find "
               f"delivery `{ctx.job.delivery_id}` in the worker log.")
    try:
        if ctx.check_run_id is None and ctx.job.head_sha:
            start_check(ctx, ctx.job.head_sha)
        complete_check(ctx, "failure", CheckOutput("docbot failed", summary))
    except GitHubError as report_error:
        ctx.log("could not report the failure: %s", report_error, level=logging.WARNING)


def cap_check_text(text: str) -> str:
    """Check-run text cut (with a note) to GitHub's 65,535 characters."""
    if len(text) <= CHECK_LIMIT:
        return text
    note = "\n\n*… cut to stay under GitHub's 65,535-character limit.*"
    return text[: CHECK_LIMIT - len(note)].rsplit("\n", 1)[0] + note
