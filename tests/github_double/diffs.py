"""Pull request diffs computed from the real repository: file entries, patches and hunks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from .gitrepo import GitRepo

STATUS = {"A": "added", "D": "removed", "M": "modified", "R": "renamed", "C": "copied",
          "T": "changed"}
HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True)
class Hunk:
    old_start: int
    old_count: int
    new_start: int
    new_count: int
    header_index: int  # index of the @@ line among the patch lines

    def contains(self, side: str, line: int) -> bool:
        if side == "LEFT":
            return self.old_start <= line < self.old_start + self.old_count
        return self.new_start <= line < self.new_start + self.new_count


@dataclass(frozen=True)
class FileDiff:
    filename: str
    status: str
    previous_filename: str | None
    additions: int
    deletions: int
    sha: str
    patch: str | None
    hunks: tuple[Hunk, ...]

    def hunk_for(self, side: str, line: int) -> Hunk | None:
        return next((h for h in self.hunks if h.contains(side, line)), None)

    def position_target(self, position: int) -> tuple[str, int] | None:
        """(side, line) that a legacy `position` (lines below the first @@) points at."""
        for index, old, new in _numbered(self.patch_lines):
            if index == position:
                return ("RIGHT", new) if new is not None else ("LEFT", old)
        return None

    def position_of(self, side: str, line: int) -> int | None:
        """The diff position of a line, counted like GitHub's `position`."""
        for index, old, new in _numbered(self.patch_lines):
            if (new if side == "RIGHT" else old) == line:
                return index
        return None

    def excerpt(self, side: str, line: int) -> str:
        """GitHub's `diff_hunk`: the hunk header and the lines down to the commented one."""
        hunk = self.hunk_for(side, line)
        position = self.position_of(side, line)
        if hunk is None or position is None:
            return ""
        return "\n".join(self.patch_lines[hunk.header_index : position + 1])

    @property
    def patch_lines(self) -> list[str]:
        return (self.patch or "").split("\n")


def _numbered(lines: list[str]) -> Iterator[tuple[int, int | None, int | None]]:
    """(index, old line or None, new line or None) for each line below a hunk header."""
    old = new = 0
    for index, text in enumerate(lines):
        match = HUNK_HEADER.match(text)
        if match:
            old, new = int(match[1]), int(match[3])
        elif text.startswith("-"):
            yield index, old, None
            old += 1
        elif text.startswith("+"):
            yield index, None, new
            new += 1
        elif not text.startswith("\\"):
            yield index, old, new
            old, new = old + 1, new + 1


def pull_diff(repo: GitRepo, base_tip: str, head: str) -> list[FileDiff]:
    """The files of a PR: the diff from merge-base(base, head) to head, as GitHub shows it."""
    base = repo.merge_base(base_tip, head) or base_tip
    return list(_diff(str(repo.path), base, head))


@lru_cache(maxsize=256)
def _diff(git_dir: str, base: str, head: str) -> tuple[FileDiff, ...]:
    repo = GitRepo(git_dir)
    common = ["-M", "--no-color", "--no-ext-diff"]
    raw = repo.run("diff", "--raw", "-z", "--no-abbrev", *common, base, head).decode()
    numstat = repo.run("diff", "--numstat", "-z", *common, base, head).decode()
    patch = repo.run("diff", "-p", "-U3", *common, base, head).decode(errors="replace")
    entries = _parse_raw(raw)
    counts = _parse_numstat(numstat)
    patches = _split_patch(patch)
    return tuple(
        _file_diff(entry, count, text)
        for entry, count, text in zip(entries, counts, patches, strict=True)
    )


def _parse_raw(raw: str) -> list[tuple[str, str, str | None, str]]:
    """(status letter, path, previous path, blob sha) per file."""
    fields = raw.split("\0")
    out, i = [], 0
    while i < len(fields) - 1:
        meta = fields[i].lstrip(":").split()
        letter, old_sha, new_sha = meta[4][0], meta[2], meta[3]
        if letter in "RC":
            out.append((letter, fields[i + 2], fields[i + 1], new_sha))
            i += 3
        else:
            out.append((letter, fields[i + 1], None, old_sha if letter == "D" else new_sha))
            i += 2
    return out


def _parse_numstat(numstat: str) -> list[tuple[int, int]]:
    fields = numstat.split("\0")
    out, i = [], 0
    while i < len(fields) - 1:
        added, deleted, path = fields[i].split("\t", 2)
        out.append((0 if added == "-" else int(added), 0 if deleted == "-" else int(deleted)))
        i += 3 if path == "" else 1
    return out


def _split_patch(patch: str) -> list[list[str]]:
    chunks: list[list[str]] = []
    for line in patch.split("\n"):
        if line.startswith("diff --git "):
            chunks.append([])
        elif chunks:
            chunks[-1].append(line)
    return chunks


def _file_diff(entry, count, lines: list[str]) -> FileDiff:
    letter, path, previous, sha = entry
    first = next((i for i, text in enumerate(lines) if text.startswith("@@")), None)
    body = lines[first:] if first is not None else []
    while body and body[-1] == "":
        body.pop()
    hunks = tuple(
        Hunk(int(m[1]), int(m[2] or 1), int(m[3]), int(m[4] or 1), index)
        for index, text in enumerate(body)
        if (m := HUNK_HEADER.match(text))
    )
    return FileDiff(
        filename=path,
        status=STATUS.get(letter, "modified"),
        previous_filename=previous,
        additions=count[0],
        deletions=count[1],
        sha=sha,
        patch="\n".join(body) if body else None,
        hunks=hunks,
    )
