"""Review suggestions that turn a doc page at the PR head into the regenerated page, where GitHub allows them."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.engine.markdown import COMMENT_LIMIT, fence

MARKER = "<!-- docbot:suggestion -->"
MAX_COMMENTS = 30  # large reviews fail with 502/422 (community); the rest goes to the branch
JOIN_GAP = 2  # unchanged lines one comment may repeat to join two nearby edits

NOT_IN_DIFF = "not part of the PR diff"
OUTSIDE_HUNKS = "change outside the diff hunks"
NEW_FILE = "new file"
DELETED_FILE = "deleted file"
OVER_LIMIT = f"over the {MAX_COMMENTS}-comment limit"
TOO_LARGE = f"suggestion over {COMMENT_LIMIT:,} characters"
LINE_ENDINGS = "CRLF or missing final newline in the changed lines"

_HUNK_HEADER = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)

Hunk = tuple[int, int]  # first and last line (1-based, inclusive) of a hunk on the RIGHT side


@dataclass(frozen=True)
class DocPage:
    """One regenerated doc page: its text at the head, the new text, and the PR diff's RIGHT-side hunks."""

    path: str
    old: str | None  # None: the page does not exist at the head
    new: str | None  # None: the page is deleted
    hunks: Sequence[Hunk] = ()


@dataclass(frozen=True)
class Suggestion:
    """One review comment whose suggestion replaces lines start_line..line of the head file."""

    path: str
    line: int
    start_line: int | None  # None for a single line; else start_line < line
    body: str


@dataclass(frozen=True)
class Leftover:
    """A page that cannot be suggested and goes to the companion branch, and why."""

    path: str
    reason: str
    detail: str = ""

    def describe(self) -> str:
        """One Markdown line for the summary."""
        return f"`{self.path}`: {self.reason}" + (f" ({self.detail})" if self.detail else "")


@dataclass(frozen=True)
class SuggestionPlan:
    """The comments of one review, and the pages left for the branch."""

    comments: list[Suggestion] = field(default_factory=list)
    leftovers: list[Leftover] = field(default_factory=list)


@dataclass(frozen=True)
class _Edit:
    """Head lines [i1, i2) become new lines [j1, j2) (0-based, half-open)."""

    i1: int
    i2: int
    j1: int
    j2: int


def hunks_from_patch(patch: str | None) -> list[Hunk]:
    """RIGHT-side line ranges of a unified diff `patch` (GitHub's PR files API); `+c,0` hunks have none."""
    hunks = []
    for match in _HUNK_HEADER.finditer(patch or ""):
        start, count = int(match[1]), int(match[2] if match[2] is not None else 1)
        if count > 0:
            hunks.append((start, start + count - 1))
    return hunks


def suggestion_body(content: str) -> str:
    """The comment body whose suggestion block holds content (whole lines, each ending in a newline)."""
    ticks = fence(content)
    return f"{MARKER}\n{ticks}suggestion\n{content}{ticks}"


def plan_page(page: DocPage) -> list[Suggestion] | Leftover:
    """All comments that turn the head page into the new one, or why the whole page cannot be suggested."""
    if page.old == page.new:
        return []
    if page.old is None:
        return Leftover(page.path, NEW_FILE)
    if page.new is None:
        return Leftover(page.path, DELETED_FILE)
    if not page.hunks:
        return Leftover(page.path, NOT_IN_DIFF)
    old, new = _lines(page.old), _lines(page.new)
    comments = []
    for edit in _group(_edits(old, new), page.hunks, len(old)):
        refusal = _refusal(edit, old, new, page.hunks)
        if refusal:
            # A partial set of suggestions would leave the page half regenerated.
            return Leftover(page.path, *refusal)
        comments.append(_comment(page.path, edit, new))
    too_long = [c for c in comments if len(c.body) > COMMENT_LIMIT]
    if too_long:
        return Leftover(page.path, TOO_LARGE, _where(too_long[0].start_line or too_long[0].line, too_long[0].line))
    return comments


def plan_suggestions(pages: Iterable[DocPage], limit: int = MAX_COMMENTS) -> SuggestionPlan:
    """One review's comments for the pages, whole pages first-fit under the limit; the rest as leftovers."""
    plan = SuggestionPlan()
    for page in pages:
        planned = plan_page(page)
        if isinstance(planned, Leftover):
            plan.leftovers.append(planned)
        elif len(plan.comments) + len(planned) > limit:
            plan.leftovers.append(Leftover(page.path, OVER_LIMIT, f"needs {len(planned)} comment(s)"))
        else:
            plan.comments.extend(planned)
    return plan


def suggestion_blocker(page: DocPage) -> Leftover | None:
    """Why `mode: auto` must send this page to the branch, or None when suggestions can carry all of it."""
    planned = plan_page(page)
    return planned if isinstance(planned, Leftover) else None


def _lines(text: str) -> list[str]:
    """Lines as git counts them (str.splitlines would also split at \\r, \\f, \\u2028...); the last may lack \\n."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    return lines + ([parts[-1]] if parts[-1] else [])


def _edits(old: list[str], new: list[str]) -> list[_Edit]:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return [_Edit(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _group(edits: list[_Edit], hunks: Sequence[Hunk], size: int) -> list[_Edit]:
    """Edits anchored on at least one head line, nearby ones joined when one hunk holds them together."""
    groups: list[_Edit] = []
    for edit in edits:
        if groups and edit.i1 - groups[-1].i2 <= JOIN_GAP:
            joined = _Edit(groups[-1].i1, edit.i2, groups[-1].j1, edit.j2)
            if _hunk_of(joined.i1 + 1, joined.i2, hunks):
                groups[-1] = joined
                continue
        groups.append(edit if edit.i1 < edit.i2 else _anchor(edit, hunks, size))
    return groups


def _anchor(edit: _Edit, hunks: Sequence[Hunk], size: int) -> _Edit:
    """A pure insertion selects a neighbouring head line, the one before when a hunk allows it."""
    candidates = []
    if edit.i1 > 0:
        candidates.append(_Edit(edit.i1 - 1, edit.i2, edit.j1 - 1, edit.j2))
    if edit.i1 < size:
        candidates.append(_Edit(edit.i1, edit.i2 + 1, edit.j1, edit.j2 + 1))
    placed = [c for c in candidates if _hunk_of(c.i1 + 1, c.i2, hunks)]
    # With no line in a hunk the edit stays unplaceable and _refusal says so.
    return (placed or candidates or [edit])[0]


def _refusal(edit: _Edit, old: list[str], new: list[str], hunks: Sequence[Hunk]) -> tuple[str, str] | None:
    """Why an anchored edit cannot be a suggestion: outside one hunk, or line endings GitHub would change."""
    first, last = edit.i1 + 1, edit.i2
    if first > last or not _hunk_of(first, last, hunks):
        where = _where(first, max(first, last))
        return OUTSIDE_HUNKS, f"{where} of the head page; the whole page goes to the branch so it stays consistent"
    touched = old[edit.i1:edit.i2] + new[edit.j1:edit.j2]
    # GitHub's apply writes LF and always ends the last line (community): only exact when both already hold.
    if any("\r" in line or not line.endswith("\n") for line in touched):
        return LINE_ENDINGS, _where(first, last)
    return None


def _hunk_of(first: int, last: int, hunks: Sequence[Hunk]) -> Hunk | None:
    return next((h for h in hunks if h[0] <= first and last <= h[1]), None)


def _comment(path: str, edit: _Edit, new: list[str]) -> Suggestion:
    first, last = edit.i1 + 1, edit.i2
    return Suggestion(path, last, first if first < last else None, suggestion_body("".join(new[edit.j1:edit.j2])))


def _where(first: int, last: int) -> str:
    return f"lines {first}-{last}" if first < last else f"line {last}"
