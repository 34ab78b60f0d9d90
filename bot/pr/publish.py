"""Publishing one PR job: the mode's hand-over, the sticky summary comment and the check run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.config import RepoConfig
from bot.engine.markdown import COMMENT_LIMIT
from bot.engine.summary import MARKER, Summary, render_summary
from bot.github.records import CheckOutput, CommentInfo, PullInfo
from bot.pr.check_run import Check, check_buttons, complete_check
from bot.pr.forks import touches_workflows
from bot.pr.job_context import JobContext
from bot.pr.loop_guard import check_push
from bot.pr.modes import Handover, branch_handover, commit_handover
from bot.pr.regenerate import DocWork
from bot.pr.review import suggestions_handover
from bot.pr.summary_comment import SKIPPED_CHECK, is_skipped, own_summary, upsert_summary

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
class Planned:
    """What a sync knows once it has planned: the config, this head's check run, the docs, notes for the PR."""

    config: RepoConfig
    check: Check
    work: DocWork
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What a sync did: one line for the log, a kind and the hand-over for a command's answer."""

    text: str
    kind: str = "published"  # published | current | skipped | off | draft | superseded | own_push | too_large
    handover: Handover | None = None


def publish(ctx: JobContext, pull: PullInfo, planned: Planned, mode: str | None = None,
            *, explicit: bool = False) -> Outcome:
    """Hand the docs over as the mode says, then summary and check run; `explicit` (a person asked): no loop guard."""
    work, config = planned.work, planned.config
    own = not explicit and is_own_push(ctx, work)
    if own and not work.plan and work.refs.companion_tip is None:
        finish_check(ctx, planned, pull, None)
        return Outcome("own push, docs current: check run only", "own_push")
    summary = own_summary(ctx, ctx.api.list_issue_comments(ctx.repo, pull.number))
    if is_skipped(summary):
        complete_check(ctx, planned.check, "neutral", CheckOutput("Skipped: /docs skip", SKIPPED_CHECK))
        return Outcome("skipped: /docs skip", "skipped")
    if work.too_many:
        return hold_large_pull(ctx, pull, planned, summary)
    if own and work.plan:  # committing or pushing again could loop: the check run says what is stale
        finish_check(ctx, planned, pull, None)
        return Outcome(f"own push, {len(work.plan.changed_pages)} page(s) stale: check run only", "own_push")
    handover = hand_over(ctx, pull, work, mode or config.mode)
    ctx.stage("companion")
    if config.summary_comment:
        text = summary_text(ctx, pull, work, handover, list(planned.notes))
        upsert_summary(ctx, pull.number, summary, text, create=bool(work.plan))
    ctx.stage("summary")
    finish_check(ctx, planned, pull, handover)
    return Outcome(outcome_text(work, handover), "published" if work.plan else "current", handover)


def hold_large_pull(ctx: JobContext, pull: PullInfo, planned: Planned, summary: CommentInfo | None) -> Outcome:
    """More files changed than `max_files`: nothing regenerated; the summary and check run say how to ask."""
    count, limit = planned.work.too_many, planned.config.max_files
    text = (f"{MARKER}\n### docbot\n\nThis pull request changes {count:,} files, more than `max_files` ({limit:,}) "
            "in `.github/docbot.yml`, so docbot did not regenerate its documentation on its own. Comment "
            "`/docs regenerate` (write access) to have it done now.\n")
    if planned.config.summary_comment:
        upsert_summary(ctx, pull.number, summary, text, create=True)
    output = CheckOutput(f"{count:,} files changed: over max_files ({limit:,})",
                         "Comment `/docs regenerate`, or press Regenerate, to document this pull request.")
    complete_check(ctx, planned.check, "neutral", output, actions=check_buttons(ctx, pull))
    return Outcome(f"held: {count} changed files, over max_files ({limit})", "too_large")


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


def finish_check(ctx: JobContext, planned: Planned, pull: PullInfo, handover: Handover | None) -> None:
    """success when the docs are current, action_required (pages listed, buttons shown) when they are stale."""
    work, notes, check = planned.work, planned.notes, planned.check
    head = f"`{work.refs.head_sha[:12]}`"
    note_lines = [f"> {n}" for n in [*notes, *(handover.notes if handover else ())]]
    if not work.plan:
        summary = "\n".join([f"No mirror page needs to change at {head}.", *note_lines])
        complete_check(ctx, check, "success", CheckOutput("Documentation is current", summary))
        return
    where = destination(ctx, pull, handover)
    if handover is not None and handover.committed:
        summary = f"{where} The check run of that commit reports on them."
        complete_check(ctx, check, "neutral", CheckOutput("Documentation committed", summary))
        return
    pages = [f"- `{p}`" for p in work.plan.changed_pages]
    summary = "\n".join([f"These pages are stale at {head}:", "", *pages, "", where, *note_lines])
    companion = handover.companion if handover else None
    url = companion.pull.html_url if companion and companion.pull else pull.html_url
    title = f"{len(pages)} documentation page(s) to update"
    text = handover.fork_patch if handover and handover.fork_patch else None
    complete_check(ctx, check, "action_required", CheckOutput(title, summary, text), details_url=url,
                   actions=check_buttons(ctx, pull))


