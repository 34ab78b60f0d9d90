"""The sticky summary comment: which keywords each file gained or lost, and where the docs went."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.engine.markdown import COMMENT_LIMIT, cell, code
from bot.engine.planner import FileReport

MARKER = "<!-- docbot:summary -->"

_KEYWORDS_SHOWN = 12


@dataclass(frozen=True)
class Summary:
    """What one job did, in the terms a reviewer cares about."""

    files: Sequence[FileReport]
    written: Sequence[str]
    deleted: Sequence[str]
    head_sha: str = ""
    destination: str = ""  # one Markdown line: where the regenerated pages are
    notes: Sequence[str] = ()


def _code(text: str) -> str:
    """A code span safe inside a table cell."""
    return cell(code(text))


def _keywords(groups: dict[str, tuple[str, ...]]) -> str:
    if not groups:
        return "—"
    parts = []
    for kind, names in groups.items():
        shown = ", ".join(_code(n) for n in names[:_KEYWORDS_SHOWN])
        more = f" (+{len(names) - _KEYWORDS_SHOWN} more)" if len(names) > _KEYWORDS_SHOWN else ""
        parts.append(f"{kind}: {shown}{more}")
    return "<br>".join(parts)


def _file_row(report: FileReport) -> str:
    change = report.status if not report.old_path else f"renamed from {_code(report.old_path)}"
    if report.degraded:
        change += " ⚠️"
    return f"| {_code(report.path)} | {change} | {_keywords(report.added)} | {_keywords(report.removed)} |"


def _header(summary: Summary) -> list[str]:
    moved = sum(1 for f in summary.files if f.old_path)
    head = f" for `{summary.head_sha[:12]}`" if summary.head_sha else ""
    if not summary.written and not summary.deleted:
        return [MARKER, f"### docbot: documentation is current{head}", "", "No mirror page needs to change."]
    counts = f"{len(summary.written)} page(s) written, {len(summary.deleted)} deleted"
    if moved:
        counts += f", {moved} file(s) moved"
    lines = [MARKER, f"### docbot: documentation to update{head}", "", f"**{len(summary.files)} file(s)**: {counts}."]
    if summary.destination:
        lines += ["", summary.destination]
    return lines


def render_summary(summary: Summary, limit: int = COMMENT_LIMIT) -> str:
    """The comment body, cut with a note so it never exceeds GitHub's body limit."""
    lines = _header(summary)
    rows = [_file_row(r) for r in summary.files]
    pages = [f"- `{p}` written" for p in summary.written] + [f"- `{p}` deleted" for p in summary.deleted]
    notes = [f"> {n}" for n in summary.notes]
    table = ["", "| File | Change | Keywords added | Keywords removed |", "| --- | --- | --- | --- |"] if rows else []
    details = ["", f"<details><summary>Pages ({len(pages)})</summary>", ""] if pages else []
    tail = ["", "</details>"] if pages else []
    body = _fit(lines + ([""] + notes if notes else []) + table, rows, details, pages, tail, limit)
    return body + "\n"


def _fit(head: list[str], rows: list[str], details: list[str], pages: list[str], tail: list[str], limit: int) -> str:
    """Join the parts, dropping rows and page lines from the end (with a note) until the text fits."""
    reserve = 200
    budget = limit - reserve - _size(head) - _size(details) - _size(tail)
    kept_rows = _take(rows, budget)
    kept_pages = _take(pages, budget - _size(kept_rows))
    out = head + kept_rows
    if len(kept_rows) < len(rows):
        cut = len(rows) - len(kept_rows)
        out.append(f"\n*… and {cut} more file(s): cut to stay under GitHub's {COMMENT_LIMIT:,}-character limit.*")
    if pages:
        out += details + kept_pages
        if len(kept_pages) < len(pages):
            out.append(f"- *… and {len(pages) - len(kept_pages)} more page(s)*")
        out += tail
    return "\n".join(out)


def _size(lines: Iterable[str]) -> int:
    return sum(len(line) + 1 for line in lines)


def _take(lines: list[str], budget: int) -> list[str]:
    kept, used = [], 0
    for line in lines:
        if used + len(line) + 1 > budget:
            break
        kept.append(line)
        used += len(line) + 1
    return kept
