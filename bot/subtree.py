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
    section = _Section(body, len(prefix))
    try:
        count -= sum(section.remove(p) for p in sorted(removed - added))
        count += sum(section.add(p) for p in sorted(added - removed))
    except _Unexpected:
        return None
    if count <= 0:
        return None
    return subtree_frame(folder_path, count, section.body, ctx)


class _Unexpected(Exception):
    """The page is not laid out as docbot renders it."""


class _Section:
    """The Keywords section as text: `### heading` groups, sorted, each a sorted list of entry lines.

    Edits find their group and line by binary search over the text itself: the root's section
    lists every file of the repository, and splitting it into groups would cost that much.
    """

    def __init__(self, body: str, prefix_len: int):
        self.body, self.prefix_len = body, prefix_len

    def add(self, path: str) -> bool:
        """List `path` in its two groups; False when it was listed already."""
        line = subtree_entry(path, self.prefix_len)
        return all([self._insert(key, path, line) for key in subtree_headings(path)])

    def remove(self, path: str) -> bool:
        """Take `path` out of its two groups; False when it was not listed."""
        line = subtree_entry(path, self.prefix_len)
        return all([self._delete(key, path, line) for key in subtree_headings(path)])

    def _insert(self, key: str, path: str, line: str) -> bool:
        heading = self._group(key)
        body = self.body
        if heading == len(body) or self._key(heading) != key:
            group = f"### {md_escape(key)}\n\n{line}"
            if not body:
                self.body = group
            elif heading == len(body):
                self.body = f"{body}\n\n{group}"
            else:
                self.body = f"{body[:heading]}{group}\n\n{body[heading:]}"
            return True
        start, end = self._block(heading)
        at = self._line_at(start, end, path[self.prefix_len :])
        if body.startswith(line + "\n", at) or (at < end and body[at:end] == line):
            return False
        self.body = body[:at] + line + "\n" + body[at:] if at < end else body[:end] + "\n" + line + body[end:]
        return True

    def _delete(self, key: str, path: str, line: str) -> bool:
        heading = self._group(key)
        body = self.body
        if heading == len(body) or self._key(heading) != key:
            return False
        start, end = self._block(heading)
        at = self._line_at(start, end, path[self.prefix_len :])
        line_end = at + len(line)
        if not body.startswith(line, at) or line_end not in (end, body.find("\n", at, end)):
            return False
        if at == start and line_end == end:  # the group's only entry: the group goes
            self.body = body[:heading] + body[end + 2 :] if end < len(body) else body[: max(heading - 2, 0)]
        elif line_end == end:
            self.body = body[: at - 1] + body[end:]
        else:
            self.body = body[:at] + body[line_end + 1 :]
        return True

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

    def _line_at(self, start: int, end: int, rel: str) -> int:
        """The offset of the first entry line in [start, end) whose path sorts at or after `rel`; `end` if none."""
        lo, hi = start, end
        found = end
        while lo < hi:
            mid = (lo + hi) // 2
            line_start = self.body.rfind("\n", start, mid) + 1 or start
            line_end = self.body.find("\n", line_start, end)
            line_end = end if line_end < 0 else line_end
            if _path_of(self.body[line_start:line_end]) < rel:
                lo = line_end + 1
            else:
                found = hi = line_start
        return found


def _path_of(line: str) -> str:
    """The folder-relative path an entry line links to."""
    try:
        target = line[line.rindex("](./") + 4 : -len("_docs.md)")]
    except ValueError:
        raise _Unexpected from None
    return unquote(target) if "%" in target else target
