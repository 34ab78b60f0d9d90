"""GitHub's "apply suggestion": replace the commented lines with the suggestion block."""

from __future__ import annotations

import re

FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})\s*suggestion\s*$")


def suggestion_block(body: str) -> list[str] | None:
    """The lines of the first ```suggestion block (an empty list deletes), or None."""
    lines = body.split("\n")
    for start, line in enumerate(lines):
        opened = FENCE.match(line.rstrip("\r"))
        if not opened:
            continue
        fence = opened["fence"]
        for end in range(start + 1, len(lines)):
            closing = lines[end].rstrip("\r").strip()
            if closing and set(closing) == {fence[0]} and len(closing) >= len(fence):
                return [text.rstrip("\r") for text in lines[start + 1 : end]]
        return None
    return None


def apply_block(text: str, first: int, last: int, block: list[str]) -> str:
    """Replace lines first..last (1-based, inclusive) of `text` with `block`."""
    lines = text.splitlines(keepends=True)
    if not 1 <= first <= last <= len(lines):
        raise ValueError(f"lines {first}-{last} are outside the file ({len(lines)} lines)")
    ending = "\r\n" if lines[last - 1].endswith("\r\n") else "\n"
    replacement = [line + ending for line in block]
    if replacement and not lines[last - 1].endswith("\n"):
        replacement[-1] = replacement[-1].removesuffix(ending)
    return "".join(lines[: first - 1] + replacement + lines[last:])
