"""What the command line prints about a plan: a short human summary, or the same as JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import RepoConfig
    from bot.engine.check import StalePage
    from bot.engine.planner import Plan
    from bot.local.pr import LocalPrResult

FILES_SHOWN = 40


def format_plan(plan: Plan, config: RepoConfig) -> str:
    """A short human summary: counts, then one line per file with its keyword changes."""
    if not plan:
        return f"docbot: documentation under {config.docs_dir}/ is current; nothing written"
    lines = [
        f"docbot: {len(plan.files)} file(s); {len(plan.written_pages)} page(s) written, "
        f"{len(plan.deletes)} deleted under {config.docs_dir}/"
    ]
    shown = plan.files[:FILES_SHOWN]
    for report in shown:
        label = f"{report.old_path} -> {report.path}" if report.old_path else report.path
        changes = [f"+{k}: {', '.join(v)}" for k, v in report.added.items()]
        changes += [f"-{k}: {', '.join(v)}" for k, v in report.removed.items()]
        detail = "; ".join(changes)
        lines.append(f"  {report.status:<9} {label}" + (f"  [{detail[:160]}]" if detail else ""))
    if len(plan.files) > len(shown):
        lines.append(f"  ... and {len(plan.files) - len(shown)} more file(s) (--json lists them all)")
    for path, reason in plan.skipped[:20]:
        lines.append(f"  skipped   {path}: {reason}")
    return "\n".join(lines)


def plan_as_json(plan: Plan, check: bool = False) -> dict:
    return {
        "stale": bool(plan) if check else None,
        "written": plan.written_pages,
        "deleted": sorted(plan.deletes),
        "files": [
            {"path": r.path, "status": r.status, "old_path": r.old_path, "added": r.added,
             "removed": r.removed, "degraded": r.degraded}
            for r in plan.files
        ],
        "skipped": [{"path": p, "reason": why} for p, why in plan.skipped],
    }


def format_pr(result: LocalPrResult) -> str:
    """The summary comment, the suggestions the App would post, and where the companion branch is."""
    lines = [result.summary.rstrip("\n"), ""]
    if result.suggestions:
        lines.append(f"docbot: {len(result.suggestions)} suggestion(s) the App would post:")
        lines += [f"  {s.path} {_lines_of(s)}" for s in result.suggestions]
    if result.commit:
        state = "new commit" if result.created else "unchanged"
        lines.append(f"docbot: companion branch {result.branch} -> {result.commit[:12]} ({state})")
    elif not result.suggestions:
        lines.append(f"docbot: documentation is current; no companion branch ({result.branch})")
    else:
        lines.append(f"docbot: every page is a suggestion; no companion branch ({result.branch})")
    return "\n".join(lines) + "\n"


def _lines_of(suggestion) -> str:
    first = suggestion.start_line or suggestion.line
    return f"lines {first}-{suggestion.line}" if first < suggestion.line else f"line {suggestion.line}"


def pr_as_json(result: LocalPrResult) -> dict:
    data = plan_as_json(result.plan)
    data.update(branch=result.branch, commit=result.commit, created=result.created, head=result.head_sha,
                base=result.base_sha, summary=result.summary,
                suggestions=[{"path": s.path, "start_line": s.start_line, "line": s.line, "body": s.body}
                             for s in result.suggestions])
    return data


def format_check(stale: list[StalePage], config: RepoConfig, sources: int) -> str:
    """`docbot check`: every stale page with why, or one line saying the mirror is current."""
    if not stale:
        return f"docbot: the mirror under {config.docs_dir}/ is current ({sources} source(s) checked)"
    lines = [f"docbot: {len(stale)} page(s) stale under {config.docs_dir}/ (`docbot generate --all` repairs them):"]
    lines += [f"  {s.page}: {s.reason}" for s in stale]
    return "\n".join(lines)


def check_as_json(stale: list[StalePage], sources: int) -> dict:
    return {"stale": bool(stale), "sources": sources, "pages": [{"page": s.page, "reason": s.reason} for s in stale]}
