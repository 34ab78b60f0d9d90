"""Markdown helpers every page and comment uses: code spans, fences, escaping, links, counts (pure)."""

from __future__ import annotations

import posixpath
import re
from urllib.parse import quote

COMMENT_LIMIT = 65_536  # characters GitHub takes in a comment or review comment body


# Line starts that would turn free text into a heading, setext underline, rule, fence or HTML block.
_BLOCK_START = re.compile(r"^(\s{0,3})([#<]|[-=*_](?:[ \t]*[-=*_])*[ \t]*$|```|~~~)")
_WORD_EDGE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_BACKTICKS = re.compile(r"`+")
_LINE_BREAK = re.compile(r"[ \t]*(?:\r\n|\r|\n)[ \t]*")
_MD_SPECIAL = re.compile(r"([\\`*\[\]<>#|])")
_BLANK_RUNS = re.compile(r"\n{3,}")


def code(text: str) -> str:
    """An inline code span whose backtick run is longer than any run inside the text."""
    if "`" not in text and not text.startswith(" "):
        return f"`{text}`"  # the common case, kept cheap: pages carry thousands of these
    ticks = "`" * (max(map(len, _BACKTICKS.findall(text)), default=0) + 1)
    both_spaces = text.startswith(" ") and text.endswith(" ") and text.strip()
    if text.startswith("`") or text.endswith("`") or both_spaces:
        text = f" {text} "  # CommonMark strips exactly one space from each side
    return f"{ticks}{text}{ticks}"


def fence(text: str) -> str:
    """A backtick fence longer than any backtick run in the text (at least three)."""
    if "```" not in text:
        return "```"
    return "`" * max(3, max(map(len, _BACKTICKS.findall(text)), default=0) + 1)


def fenced(text: str, lang: str) -> str:
    """The whole text as one fenced block; the text itself is kept byte for byte."""
    ticks = fence(text)
    body = text if text.endswith("\n") or not text else text + "\n"
    return f"{ticks}{lang}\n{body}{ticks}"


def inline(text: str) -> str:
    """Text flattened to one line, for list items and sentences."""
    text = text.strip()
    if "\n" not in text and "\r" not in text:
        return text
    return _LINE_BREAK.sub(" ", text)


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell (one line, `|` escaped, also inside code spans)."""
    return inline(text).replace("|", "\\|")


def md_escape(text: str) -> str:
    """Plain text with the characters that could start Markdown emphasis, links or code escaped."""
    if not _MD_SPECIAL.search(text) and not _WORD_EDGE_UNDERSCORE.search(text):
        return text
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _WORD_EDGE_UNDERSCORE.sub(r"\\_", text)


def prose(text: str) -> str:
    """Free text as paragraphs that cannot open headings, fences or HTML blocks in the page."""
    lines = [_BLOCK_START.sub(r"\1\\\2", line.rstrip()) for line in text.strip().splitlines()]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines))


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: `Code Patterns & Idioms` -> `code-patterns--idioms`."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


_URL_SAFE = re.compile(r"[A-Za-z0-9_.~/-]*")


def url(path: str) -> str:
    """A link target with spaces and special characters percent-encoded."""
    return path if _URL_SAFE.fullmatch(path) else quote(path, safe="/")


def size(n: int) -> str:
    """`1,682 bytes (1.64 KB)`."""
    return f"{n:,} bytes ({n / 1024:,.2f} KB)"


def plural(n: int, noun: str) -> str:
    """`no classes`, `1 class`, `2 classes`."""
    count = f"{n:,}" if n else "no"
    if n == 1:
        return f"{count} {noun}"
    if noun.endswith(("s", "x", "ch", "sh")):
        return f"{count} {noun}es"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return f"{count} {noun[:-1]}ies"
    return f"{count} {noun}s"


def series(items: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# ---- paths and links ----


def extension(name: str) -> str:
    """`.py` for `linear.py`; "" when the name has none (`Makefile`, `.gitignore`)."""
    return posixpath.splitext(name)[1]


def where(folder: str) -> str:
    """How prose names a folder."""
    return code(folder + "/") if folder else "the repository root"


def to_mirror(folder: str, target: str) -> str:
    """Link from a mirror page in `folder` to the mirror page `target` (both repo-relative)."""
    here, there = folder.split("/") if folder else [], target.split("/")
    common = 0
    while common < min(len(here), len(there) - 1) and here[common] == there[common]:
        common += 1
    rel = "../" * (len(here) - common) + "/".join(there[common:])
    return url(rel if rel.startswith("../") else "./" + rel)


def line_link(line: int, source: str, label: str = "line ") -> str:
    """`[line 12](../../x.py#L12)`, or "whole file" for line 0."""
    return f"[{label}{line}]({source}#L{line})" if line else "whole file"
