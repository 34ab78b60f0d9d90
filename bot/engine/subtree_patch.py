"""sub.md updated in place: a change adds and removes its own entries, the rest of the page is kept.

The root's sub.md lists every file of the repository twice; parsing it back into a set and
rendering it anew costs time in proportion to the repository. Patching costs time in
proportion to the change. Anything unexpected in the page gives None, and the caller
renders the page in full.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote

from bot.engine.markdown import md_escape
from bot.engine.readback import unescape
from bot.engine.render_folders import subtree_entry, subtree_frame, subtree_headings
from bot.engine.templates import PageContext

_SENTINEL = "\0docbot-keywords\0"
_COUNT = re.compile(r"^This index covers all ([\d,]+) documented files? within ", re.M)


def patch_subtree(
    md: str, folder_path: str, added: Iterable[str], removed: Iterable[str], ctx: PageContext
) -> tuple[str, set[str], set[str]] | None:
    """`md` (a sub.md docbot rendered, its record line left out) with these files added and removed, and the
    files that were really added and removed (a file listed already is not added again); None to render in full."""
    prefix = folder_path + "/" if folder_path else ""
    added, removed = set(added), set(removed)
    if any(not p.startswith(prefix) or p == prefix for p in added | removed):
        return None
    match = _COUNT.search(md)
    if match is None:
        return None
    count = int(match.group(1).replace(",", ""))
    head, tail = _frame(folder_path, count, ctx)
    if len(md) < len(head) + len(tail) or not md.startswith(head) or not md.endswith(tail):
        return None
    if not md.startswith("### ", len(head)):
        return None
    try:
        section = _Section(md, len(head), len(md) - len(tail), len(prefix))
        pieces, really_added, really_removed = section.patched(sorted(added - removed), sorted(removed - added))
    except _Unexpected:
        return None
    count += len(really_added) - len(really_removed)
    if count <= 0:
        return None
    head, tail = _frame(folder_path, count, ctx)
    return "".join([head, *pieces, tail]), really_added, really_removed  # one copy: the root's lists every file


def _frame(folder_path: str, count: int, ctx: PageContext) -> tuple[str, str]:
    """The sub.md page before and after its Keywords section."""
    head, _, tail = subtree_frame(folder_path, count, _SENTINEL, ctx).partition(_SENTINEL)
    return head, tail


class _Unexpected(Exception):
    """The page is not laid out as docbot renders it."""


class _Section:
    """The Keywords section of a page, text[lo:hi]: `### heading` groups, sorted, each a sorted list of entry lines.

    The groups an edit touches, and the lines in them, are found by binary search over the text
    itself and edited on their own: the root's section lists every file of the repository, and
    splitting it into groups or lines, or copying it for every edit, would cost that much.
    """

    def __init__(self, text: str, lo: int, hi: int, prefix_len: int):
        self.text, self.lo, self.hi, self.prefix_len = text, lo, hi, prefix_len
        # Stretches scanned already, (start, heading): no heading in [start, heading). A probe that
        # lands in one is answered without scanning it again (one group lists every file of a kind).
        self._spans: list[tuple[int, int]] = []

    def patched(self, added: list[str], removed: list[str]) -> tuple[list[str], set[str], set[str]]:
        """The section, as pieces to join, with these files listed and unlisted, and the files that really were.

        A file counts when all its groups changed: an added one that was listed already, or a
        removed one that was not, changes nothing. Its groups are two, or one when its stem is
        its extension's heading (`files-.py.py`).
        """
        edits: dict[str, list[tuple[str, bool, str, str]]] = {}
        groups: dict[tuple[bool, str], int] = {}
        for adding, paths in ((False, removed), (True, added)):
            for path in paths:
                line = subtree_entry(path, self.prefix_len)
                keys = set(subtree_headings(path))
                groups[adding, path] = len(keys)
                for key in keys:
                    edits.setdefault(key, []).append((path[self.prefix_len :], adding, path, line))
        done: dict[tuple[bool, str], int] = {}
        # (start, end, text) in "virtual" offsets: every group owns the "\n\n" before its heading,
        # the first one included (at lo - 2), so that adding or dropping a group is one replacement.
        replacements = []
        for key in sorted(edits):
            heading = self._group(key)
            if heading < self.hi and self._key(heading) == key:
                start, end = self._block(heading)
                lines = self._edited(start, end, sorted(edits[key]), done)
                if lines is None:
                    continue  # nothing to do in this group
                title = self.text[heading + 4 : start - 2]
                span = (heading - 2, end)
            else:  # a new group, before the heading found or at the very end
                at = heading - 2 if heading < self.hi else self.hi
                lines = []
                for _, adding, path, line in sorted(edits[key]):
                    if adding:
                        lines.append(line)
                        done[adding, path] = done.get((adding, path), 0) + 1
                lines, title, span = "\n".join(lines), md_escape(key), (at, at)
            replacements.append((*span, f"\n\n### {title}\n\n{lines}" if lines else ""))
        pieces, copied = [], self.lo - 2
        for start, end, text in replacements:  # sorted by key, so by offset
            if start > copied:
                pieces += self._between(copied, start)
            pieces.append(text)
            copied = end
        pieces += self._between(copied, self.hi)
        _drop_leading_separator(pieces)
        counted = [(adding, path) for (adding, path), changed in done.items() if changed == groups[adding, path]]
        return pieces, {p for adding, p in counted if adding}, {p for adding, p in counted if not adding}

    def _between(self, start: int, end: int) -> list[str]:
        """The section's text between two virtual offsets (lo - 2 stands for the first group's "\n\n")."""
        if start >= end:
            return []
        return ["\n\n", self.text[self.lo : end]] if start < self.lo else [self.text[start:end]]

    def _edited(self, start: int, end: int, edits: list, done: dict) -> str | None:
        """The group's entry lines text[start:end] after the edits (sorted by path); None when unchanged.

        Offsets are read as if the group's last line ended in "\n" too (at `end`): a line added
        after it goes at end + 1, and a removed line takes its "\n" along.
        """
        text, ops = self.text, []
        for rel, adding, path, line in edits:
            at = self._line_from(start, end, rel)
            present = at < end and text[at : self._line_end(at, end)] == line
            if adding and not present:
                ops.append((at if at < end else end + 1, 0, rel, line))
            elif not adding and present:
                ops.append((at, 1, rel, line))
            else:
                continue
            done[adding, path] = done.get((adding, path), 0) + 1
        if not ops:
            return None
        pieces, pos = [], start
        for at, removing, _, line in sorted(ops):  # at one offset: additions by path, then the removal
            if at > pos:
                pieces.append(self._lines(pos, at, end))
            if removing:
                pos = max(pos, at + len(line) + 1)
            else:
                pieces.append(line + "\n")
                pos = max(pos, at)
        if pos <= end:
            pieces.append(self._lines(pos, end + 1, end))
        return "".join(pieces)[:-1]  # every line ended in "\n"

    def _lines(self, start: int, stop: int, end: int) -> str:
        """text[start:stop] of a group whose lines end at `end`, with the "\n" taken to follow the last."""
        return self.text[start:stop] if stop <= end else self.text[start:end] + "\n"

    def _line_from(self, start: int, end: int, rel: str) -> int:
        """The offset of the first entry line in [start, end) whose path sorts at or after `rel`; `end` if none."""
        text, found, lo, hi = self.text, end, start, end
        while lo < hi:
            mid = (lo + hi) // 2
            line_start = max(text.rfind("\n", start, mid) + 1, start)
            line_end = self._line_end(line_start, end)
            if _path_of(text[line_start:line_end]) < rel:
                lo = line_end + 1
            else:
                found = hi = line_start
        return found

    def _line_end(self, at: int, end: int) -> int:
        line_end = self.text.find("\n", at, end)
        return end if line_end < 0 else line_end

    def _group(self, key: str) -> int:
        """The offset of the first heading whose key is `key` or sorts after it; hi when none does."""
        lo, hi = self.lo, self.hi
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
        if offset <= self.lo:
            return self.lo
        # The scan stops where a stretch scanned before starts: beyond it, the answer is known.
        known = min(((start, heading) for start, heading in self._spans if heading >= offset), default=None)
        if known and known[0] <= offset:
            return known[1] if known[1] < limit else limit
        stop = min(limit, known[0]) if known else limit
        at = self.text.find("\n\n### ", offset - 2, min(stop + 4, self.hi))
        if 0 <= at and at + 2 < stop:
            found = at + 2
        elif known and known[0] < limit:
            found = known[1]
        else:
            return limit
        self._spans.append((offset, found))
        return found if found < limit else limit

    def _key(self, heading: int) -> str:
        end = self.text.find("\n", heading, self.hi)
        text = self.text[heading + 4 : end if end >= 0 else self.hi]
        return unescape(text) if "\\" in text else text

    def _block(self, heading: int) -> tuple[int, int]:
        """The offsets of a group's entry lines: from its first to the end of its last (the next heading's "\n\n")."""
        start = self.text.find("\n\n", heading, self.hi) + 2
        if start < 2 or not self.text.startswith("- [", start):
            raise _Unexpected
        following = self._heading_from(start, self.hi)
        return start, (following - 2 if following < self.hi else self.hi)


def _drop_leading_separator(pieces: list[str]) -> None:
    """The section starts with its first heading: drop the "\n\n" a replacement put before it."""
    for index, piece in enumerate(pieces):
        if piece:
            if piece.startswith("\n\n"):
                pieces[index] = piece[2:]
            return


def _path_of(line: str) -> str:
    """The folder-relative path an entry line links to."""
    try:
        target = line[line.rindex("](./") + 4 : -len("_docs.md)")]
    except ValueError:
        raise _Unexpected from None
    return unquote(target) if "%" in target else target
