"""GitHub's "apply suggestion", as the tests' oracle: the page a batch of docbot's suggestions produces."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.engine.suggestions import Suggestion

_OPENING = re.compile(r"^(`{3,})suggestion$")


def apply_suggestions(old_text: str, comments: Iterable[Suggestion]) -> str:
    """GitHub's "apply suggestion" for each comment: the selected lines become the block's content."""
    lines = _lines(old_text)
    taken: set[int] = set()
    # Bottom-up, so the line numbers of the comments still to apply stay valid.
    for comment in sorted(comments, key=lambda c: c.line, reverse=True):
        first = comment.start_line or comment.line
        selected = set(range(first, comment.line + 1))
        if first > comment.line or comment.line > len(lines) or first < 1 or selected & taken:
            raise ValueError(f"suggestion on {_where(first, comment.line)} does not fit the file or overlaps another")
        taken |= selected
        replaced = lines[first - 1:comment.line]
        content = _block_content(comment.body)
        if any("\r" in line or not line.endswith("\n") for line in replaced + content):
            raise ValueError(f"GitHub's result is not known for the line endings at {_where(first, comment.line)}")
        lines[first - 1:comment.line] = content
    return "".join(lines)


def _block_content(body: str) -> list[str]:
    """The lines between the suggestion fence and its closing fence, each with its newline."""
    rows = body.split("\n")
    opening = next((i for i, row in enumerate(rows) if _OPENING.match(row)), len(rows))
    fence = rows[opening].removesuffix("suggestion") if opening < len(rows) else ""
    for end in range(opening + 1, len(rows)):
        if rows[end].startswith(fence) and not rows[end].strip("`"):
            return [row + "\n" for row in rows[opening + 1:end]]
    raise ValueError("the comment holds no closed suggestion block")


def _lines(text: str) -> list[str]:
    """Lines as git counts them; the last may lack its newline."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _where(first: int, last: int) -> str:
    return f"lines {first}-{last}" if first < last else f"line {last}"
