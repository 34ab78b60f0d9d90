"""Publishing one PR job: the mode's hand-over, the sticky summary comment and the check run."""

from __future__ import annotations

from collections.abc import Callable

from bot.companion import Companion, sync_companion
from bot.context import CHECK_NAME, JobContext
from bot.github_api import CheckOutput, PullInfo
from bot.prdocs import DocWork
from bot.summary import MARKER, Summary, render_summary

CHECK_LIMIT = 65_535  # characters of a check run's output.summary
_NOT_YET = "mode `{}` arrives in a later docbot version; until then the pages go to the companion branch."

Publisher = Callable[[JobContext, PullInfo, DocWork], Companion]
# Issue 4 gives suggestions and commit their own publishers; auto will mix suggestions and branch.
PUBLISHERS: dict[str, Publisher] = {"auto": sync_companion, "branch": sync_companion}


def publish(ctx: JobContext, pull: PullInfo, work: DocWork, notes: list[str]) -> str:
    """Hand the docs to the PR as its mode says, then report in the summary and on the check run."""
    guarded = loop_guard(ctx, work)
    if guarded:
        finish_check(ctx, pull, work, None, notes)
        return guarded
    mode = ctx.config.mode if ctx.config else "auto"
    if mode not in PUBLISHERS:
        notes = [*notes, _NOT_YET.format(mode)]
    companion = PUBLISHERS.get(mode, sync_companion)(ctx, pull, work)
    ctx.stage("companion")
    if ctx.config is None or ctx.config.summary_comment:
        upsert_summary(ctx, pull.number, summary_text(ctx, work, companion, notes), create=bool(work.plan))
    ctx.stage("summary")
    finish_check(ctx, pull, work, companion, notes)
    pages = len(work.plan.changed_pages)
    return f"{pages} page(s) stale" + (f", on {companion.branch}" if work.plan else ", docs current")


def loop_guard(ctx: JobContext, work: DocWork) -> str:
    """A synchronize caused by our own push (commit mode) with the docs current and no companion
    branch left to retire needs nothing but the check run: publishing again could loop."""
    job = ctx.job
    own_push = job.sender_type == "Bot" and job.sender_login == ctx.bot_login
    if own_push and not work.plan and work.refs.companion_tip is None:
        return "own push, docs current: check run only"
    return ""


def destination(ctx: JobContext, companion: Companion | None) -> str:
    """One Markdown line saying where the regenerated pages are."""
    if companion is None or companion.retired:
        return ""
    if companion.fork:  # issue 4 adds the patch and the command that applies it
        return (f"Regenerated pages are on the branch `{companion.branch}` of {ctx.repo}: a pull request "
                "cannot target a fork's branch, so fetch that branch and merge it into yours.")
    number = companion.pull.number if companion.pull else "?"
    return f"Regenerated pages are in #{number} (branch `{companion.branch}`); merge it to update this pull request."


def summary_text(ctx: JobContext, work: DocWork, companion: Companion, notes: list[str]) -> str:
    return render_summary(Summary(work.plan.files, sorted(work.plan.writes), sorted(work.plan.deletes),
                                  work.refs.head_sha, destination(ctx, companion), notes))


def upsert_summary(ctx: JobContext, number: int, body: str, *, create: bool) -> None:
    """Edit the App's own sticky comment (the marker alone proves nothing), or create it when asked."""
    mine = [c for c in ctx.api.list_issue_comments(ctx.repo, number)
            if c.author == ctx.bot_login and MARKER in c.body]
    if mine:
        if mine[0].body != body:
            ctx.api.edit_issue_comment(ctx.repo, mine[0].id, body)
    elif create:
        ctx.api.create_issue_comment(ctx.repo, number, body)


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


def complete_check(ctx: JobContext, conclusion: str, output: CheckOutput, details_url: str | None = None) -> None:
    if ctx.check_run_id is None:
        return
    text = output.text and cap_check_text(output.text)
    output = CheckOutput(output.title[:255], cap_check_text(output.summary), text)
    ctx.api.update_check_run(ctx.repo, ctx.check_run_id, status="completed", conclusion=conclusion,
                             output=output, details_url=details_url)


def finish_check(ctx: JobContext, pull: PullInfo, work: DocWork, companion: Companion | None,
                 notes: list[str]) -> None:
    """success when the docs are current, action_required (listing the pages) when they are stale."""
    head = f"`{work.refs.head_sha[:12]}`"
    note_lines = [f"> {n}" for n in notes]
    if not work.plan:
        summary = "\n".join([f"No mirror page needs to change at {head}.", *note_lines])
        complete_check(ctx, "success", CheckOutput("Documentation is current", summary))
        return
    pages = [f"- `{p}`" for p in work.plan.changed_pages]
    where = destination(ctx, companion)
    summary = "\n".join([f"These pages are stale at {head}:", "", *pages, "", where, *note_lines])
    url = companion.pull.html_url if companion and companion.pull else pull.html_url
    title = f"{len(pages)} documentation page(s) to update"
    complete_check(ctx, "action_required", CheckOutput(title, summary), details_url=url)


def cap_check_text(text: str) -> str:
    """Check-run text cut (with a note) to GitHub's 65,535 characters."""
    if len(text) <= CHECK_LIMIT:
        return text
    note = "\n\n*… cut to stay under GitHub's 65,535-character limit.*"
    return text[: CHECK_LIMIT - len(note)].rsplit("\n", 1)[0] + note
