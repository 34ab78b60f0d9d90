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
    groups = _Groups.parse(md[len(head) : len(md) - len(tail)], len(prefix))
    if groups is None:
        return None
    count -= sum(groups.remove(p) for p in sorted(removed - added))
    count += sum(groups.add(p) for p in sorted(added - removed))
    if count <= 0:
        return None
    return subtree_frame(folder_path, count, groups.text(), ctx)


class _Groups:
    """The Keywords section as parallel sorted lists: raw heading keys, escaped headings, entry blocks."""

    def __init__(self, keys: list[str], headings: list[str], blocks: list[str], prefix_len: int):
        self.keys, self.headings, self.blocks, self.prefix_len = keys, headings, blocks, prefix_len

    @classmethod
    def parse(cls, body: str, prefix_len: int) -> _Groups | None:
        if not body.startswith("### "):
            return None
        keys, headings, blocks = [], [], []
        for part in body[4:].split("\n\n### "):
            heading, _, block = part.partition("\n\n")
            if not block.startswith("- ["):
                return None
            headings.append(heading)
            keys.append(unescape(heading) if "\\" in heading else heading)
            blocks.append(block)
        if keys != sorted(keys):
            return None
        return cls(keys, headings, blocks, prefix_len)

    def _path_of(self, line: str) -> str:
        target = line[line.rindex("](./") + 4 : -len("_docs.md)")]
        return unquote(target) if "%" in target else target

    def add(self, path: str) -> bool:
        """List `path` in its two groups; False when it was listed already."""
        line = subtree_entry(path, self.prefix_len)
        return all([self._insert(key, path, line) for key in subtree_headings(path)])

    def remove(self, path: str) -> bool:
        """Take `path` out of its two groups; False when it was not listed."""
        line = subtree_entry(path, self.prefix_len)
        return all([self._delete(key, line) for key in subtree_headings(path)])

    def _insert(self, key: str, path: str, line: str) -> bool:
        at = bisect_left(self.keys, key)
        if at == len(self.keys) or self.keys[at] != key:
            self.keys.insert(at, key)
            self.headings.insert(at, md_escape(key))
            self.blocks.insert(at, line)
            return True
        lines = self.blocks[at].split("\n")
        rel = path[self.prefix_len :]
        pos = bisect_left(lines, rel, key=self._path_of)
        if pos < len(lines) and lines[pos] == line:
            return False
        lines.insert(pos, line)
        self.blocks[at] = "\n".join(lines)
        return True

    def _delete(self, key: str, line: str) -> bool:
        at = bisect_left(self.keys, key)
        if at == len(self.keys) or self.keys[at] != key:
            return False
        lines = self.blocks[at].split("\n")
        if line not in lines:
            return False
        lines.remove(line)
        if lines:
            self.blocks[at] = "\n".join(lines)
        else:
            del self.keys[at], self.headings[at], self.blocks[at]
        return True

    def text(self) -> str:
        return "\n\n".join(f"### {h}\n\n{b}" for h, b in zip(self.headings, self.blocks, strict=True))
