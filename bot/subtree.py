"""sub.md updated in place: a change adds and removes its own entries, the rest of the page is kept.

The root's sub.md lists every file of the repository twice; parsing it back into a set and
rendering it anew costs time in proportion to the repository. Patching costs time in
proportion to the change. Anything unexpected in the page gives None, and the caller
renders the page in full.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from urllib.parse import unquote

from bot.pages import unescape
from bot.render import PageContext, md_escape, subtree_entry, subtree_frame, subtree_headings

_SENTINEL = "\0docbot-keywords\0"
_COUNT = re.compile(r"^This index covers all ([\d,]+) documented files? within ", re.M)


def patch_subtree(
    md: str, folder_path: str, added: Iterable[str], removed: Iterable[str], ctx: PageContext
) -> str | None:
    """`md` (a sub.md docbot rendered) with these files added and removed, or None to render in full."""
    prefix = folder_path + "/" if folder_path else ""
    added, removed = set(added), set(removed)
    if any(not p.startswith(prefix) or p == prefix for p in added | removed):
        return None
    match = _COUNT.search(md)
    if match is None:
        return None
    count = int(match.group(1).replace(",", ""))
    head, _, tail = subtree_frame(folder_path, count, _SENTINEL, ctx).partition(_SENTINEL)
    if len(md) < len(head) + len(tail) or not md.startswith(head) or not md.endswith(tail):
        return None
    body = md[len(head) : len(md) - len(tail)]
    if not body.startswith("### "):
        return None
    try:
        body, delta = _Section(body, len(prefix)).patched(sorted(added - removed), sorted(removed - added))
    except _Unexpected:
        return None
    if count + delta <= 0:
        return None
    return subtree_frame(folder_path, count + delta, body, ctx)


class _Unexpected(Exception):
    """The page is not laid out as docbot renders it."""


class _Section:
    """The Keywords section as text: `### heading` groups, sorted, each a sorted list of entry lines.

    The groups an edit touches are found by binary search over the text itself, edited on their
    own, and the section is put together once: the root's section lists every file of the
    repository, and splitting it into groups, or copying it for every edit, would cost that much.
    """

    def __init__(self, body: str, prefix_len: int):
        self.body, self.prefix_len = body, prefix_len

    def patched(self, added: list[str], removed: list[str]) -> tuple[str, int]:
        """The section with these files listed and unlisted, and the change in the number of files.

        A file counts when both its groups changed: an added one that was listed already, or a
        removed one that was not, changes nothing.
        """
        edits: dict[str, list[tuple[bool, str, str]]] = {}
        for adding, paths in ((False, removed), (True, added)):
            for path in paths:
                line = subtree_entry(path, self.prefix_len)
                for key in subtree_headings(path):
                    edits.setdefault(key, []).append((adding, path, line))
        done: dict[tuple[bool, str], int] = {}
        replacements = []  # (offset in "\n\n" + body, end, text), every group with its leading separator
        for key in sorted(edits):
            heading = self._group(key)
            if heading < len(self.body) and self._key(heading) == key:
                start, end = self._block(heading)
                lines = self.body[start:end].split("\n")
                title = self.body[heading + 4 : start - 2]
                span = (heading, end + 2)
            else:  # a new group, before the heading found or at the very end
                at = heading if heading < len(self.body) else len(self.body) + 2
                lines, title, span = [], md_escape(key), (at, at)
            for adding, path, line in edits[key]:
                if self._edit(lines, adding, path[self.prefix_len :], line):
                    done[adding, path] = done.get((adding, path), 0) + 1
            text = f"\n\n### {title}\n\n" + "\n".join(lines) if lines else ""
            replacements.append((span[0], span[1], text))
        pieces, copied, framed = [], 0, "\n\n" + self.body
        for start, end, text in replacements:  # sorted by key, so by offset
            pieces += (framed[copied:start], text)
            copied = end
        pieces.append(framed[copied:])
        delta = sum(1 if adding else -1 for (adding, _), groups in done.items() if groups == 2)
        return "".join(pieces).removeprefix("\n\n"), delta

    def _edit(self, lines: list[str], adding: bool, rel: str, line: str) -> bool:
        """List or unlist one entry line in a group's sorted lines; False when there was nothing to do."""
        at = bisect_left(lines, rel, key=_path_of)
        present = at < len(lines) and lines[at] == line
        if adding and not present:
            lines.insert(at, line)
            return True
        if not adding and present:
            del lines[at]
            return True
        return False

    def _group(self, key: str) -> int:
        """The offset of the first heading whose key is `key` or sorts after it; len(body) when none does."""
        lo, hi = 0, len(self.body)
        found = hi
        while lo < hi:
            mid = (lo + hi) // 2
            heading = self._heading_from(mid, hi)
            if heading >= hi:
                hi = mid  # no heading in [mid, hi)
            elif self._key(heading) < key:
                lo = heading + 1
            else:
                found = hi = heading
        return found

    def _heading_from(self, offset: int, limit: int) -> int:
        """The offset of the first heading in [offset, limit), else `limit` (the scan stops there)."""
        if offset <= 0:
            return 0
        at = self.body.find("\n\n### ", max(offset - 2, 0), limit + 4)
        return limit if at < 0 or at + 2 >= limit else at + 2

    def _key(self, heading: int) -> str:
        end = self.body.find("\n", heading)
        text = self.body[heading + 4 : end if end >= 0 else len(self.body)]
        return unescape(text) if "\\" in text else text

    def _block(self, heading: int) -> tuple[int, int]:
        """The offsets of a group's entry lines: from its first to the end of its last."""
        start = self.body.find("\n\n", heading) + 2
        if start < 2 or not self.body.startswith("- [", start):
            raise _Unexpected
        end = self.body.find("\n\n", start)
        return start, (len(self.body) if end < 0 else end)


def _path_of(line: str) -> str:
    """The folder-relative path an entry line links to."""
    try:
        target = line[line.rindex("](./") + 4 : -len("_docs.md)")]
    except ValueError:
        raise _Unexpected from None
    return unquote(target) if "%" in target else target
