"""Small text helpers shared by the analyzers: paragraphs, comment blocks, line numbers."""

from __future__ import annotations

import bisect
import re
from itertools import accumulate

# A paragraph with fewer words reads as a note or a link line, not as what the file is for.
SUBSTANTIVE_WORDS = 10

_ROLE = re.compile(r":(?:[\w+-]+:)*[\w+-]+:`([^`]+)`")
_DOUBLE_LITERAL = re.compile(r"``([^`]+)``")
_LICENSE = re.compile(r"copyright|licen[cs]e|spdx-|all rights reserved|\(c\) \d{4}", re.I)
_PRAGMA = re.compile(
    r"^(?:!|(?:mypy|type|noqa|flake8|pylint|ruff|fmt|isort|pyre|pyright|vim?|"
    r"clang-format|NOLINT\w*|cython)\b)"
)
_HASH_MARK = re.compile(r"^\s*#+ ?")
_SLASH_MARK = re.compile(r"^\s*(?:/\*+!?|\*+/|\*(?!/)|//+!?) ?")
_DECORATION = re.compile(r"^[\W_]*$")
_BANNER = re.compile(r"([~=*#/_+-])\1{3,}")


def normalize_space(text: str) -> str:
    return " ".join(text.split())


def rst_inline_to_markdown(text: str) -> str:
    """Turn RST roles and ``literals`` into Markdown code spans: :meth:`f()` -> `f()`."""
    if "`" not in text:
        return text
    text = _DOUBLE_LITERAL.sub(r"`\1`", text)
    return _ROLE.sub(lambda m: f"`{m.group(1).lstrip('~!')}`", text)


def paragraphs(lines: list[str]) -> list[str]:
    """Blank-line separated paragraphs, whitespace-normalised, empty ones dropped."""
    result: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            result.append(" ".join(current))
            current = []
    return result


def choose_purpose(candidates: list[str]) -> str:
    """The first substantive paragraph, else the first one, else ""."""
    for text in candidates:
        if len(text.split()) >= SUBSTANTIVE_WORDS:
            return text
    return candidates[0] if candidates else ""


def first_sentence(text: str, limit: int = 160) -> str:
    """The first sentence of a paragraph, cut at `limit` characters."""
    text = normalize_space(text)
    match = re.search(r"(?<=[.!?])\s+(?=[A-Z`(])", text)
    if match:
        text = text[: match.start()]
    if len(text) <= limit:
        return text
    text = text[: limit - 3]
    if text.count("`") % 2:  # never leave a code span open
        text = text[: text.rindex("`")]
    return text.rstrip() + "..."


def docstring_purpose(doc: str) -> str:
    """First paragraph of a docstring, whitespace-normalised, RST inline markup as Markdown."""
    found = paragraphs(doc.strip().splitlines())
    return rst_inline_to_markdown(found[0]) if found else ""


def first_doc_line(doc: str) -> str:
    """The first line of a docstring that is not a banner such as `~~~~ fill ~~~~`."""
    for line in doc.splitlines():
        if line.strip() and not _BANNER.search(line):
            return rst_inline_to_markdown(normalize_space(line))
    return ""


def comment_summary(comment: str) -> str:
    """The first sentence of a comment's first paragraph (comments wrap mid-sentence)."""
    kept = ["" if _BANNER.search(line) else line for line in comment.split("\n")]
    found = paragraphs(kept)
    return first_sentence(found[0]) if found else ""


def comment_purpose(comment_lines: list[str]) -> str:
    """First paragraph of a comment block that is not a license, pragma or ruler."""
    kept = [
        "" if _DECORATION.match(line) or _PRAGMA.match(line.strip()) or "-*-" in line else line
        for line in comment_lines
    ]
    for text in paragraphs(kept):
        if not _LICENSE.search(text):
            return text
    return ""


def leading_comment(text: str, style: str) -> list[str]:
    """The comment lines at the top of a file, markers removed; style is "hash" or "slash"."""
    marker = _HASH_MARK if style == "hash" else _SLASH_MARK
    found: list[str] = []
    in_block = False
    for raw in text.split("\n", 400)[:400]:
        line = raw.strip()
        if style == "hash" and line and not line.startswith("#"):
            break
        if style == "slash" and line and line != "#pragma once":
            if in_block or line.startswith("/*"):
                in_block = "*/" not in line[2:]
            elif not line.startswith("//"):
                break
        found.append(_strip_marker(marker, raw) if line and line != "#pragma once" else "")
    return found


def _strip_marker(marker: re.Pattern, raw: str) -> str:
    return marker.sub("", raw).rstrip().removesuffix("*/").rstrip()


def comment_text(raw: str) -> list[str]:
    """The lines of one C-style comment without its markers."""
    return [_strip_marker(_SLASH_MARK, line) for line in raw.splitlines()]


class LineIndex:
    """Maps character offsets of a text to 1-based line numbers; built on first use."""

    def __init__(self, text: str):
        self._text = text
        self._starts: list[int] = []

    def line(self, offset: int) -> int:
        if not self._starts:
            # Why not a regex: starts from line lengths run in C, several times faster on long files.
            self._starts = list(accumulate(map((1).__add__, map(len, self._text.split("\n")[:-1])), initial=0))
        return bisect.bisect_right(self._starts, offset)


def count_lines(text: str) -> int:
    if not text:
        return 0
    return text.count("\n") + (0 if text.endswith("\n") else 1)


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def line_list(lines: list[int], most: int = 5) -> str:
    """ "line 3" or "lines 3, 7, 11 and 4 more"."""
    shown = ", ".join(str(n) for n in lines[:most])
    more = f" and {len(lines) - most} more" if len(lines) > most else ""
    return f"line {shown}" if len(lines) == 1 else f"lines {shown}{more}"
