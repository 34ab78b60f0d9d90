"""The readers the engine reads sources and pages through: the work tree, a commit, a commit's tree listing."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass

from bot.repo.git import BareRepo, GitRepo
from bot.repo.tree_objects import TreeEntry

NOT_FILES = ("160000", "040000")  # submodules and trees have no content to read


class _Reader:
    """What every reader shares: text is its bytes as UTF-8, undecodable bytes replaced."""

    def read(self, path: str) -> bytes | None:
        raise NotImplementedError

    def read_text(self, path: str) -> str | None:
        data = self.read(path)
        return None if data is None else data.decode("utf-8", errors="replace")


class WorktreeFiles(_Reader):
    """Reads files below a repository root without ever following a link out of it."""

    def __init__(self, root: str | os.PathLike[str]):
        self.root = os.path.realpath(root)
        # Resolved folders, by repository-relative folder: a full generation reads thousands of
        # files from a few hundred folders, and resolving walks every component of the path.
        self._folders: dict[str, str | None] = {}

    def _safe_path(self, path: str) -> str | None:
        folder, _, name = path.rpartition("/")
        try:
            parent = self._folders[folder]
        except KeyError:
            parent = os.path.realpath(os.path.join(self.root, folder))
            if parent != self.root and not parent.startswith(self.root + os.sep):
                parent = None
            self._folders[folder] = parent
        return None if parent is None or name in ("", ".", "..") else os.path.join(parent, name)

    def _open_regular(self, path: str) -> int | None:
        """A descriptor of the regular file at `path`, never through a link; None when there is none."""
        full = self._safe_path(path)
        if full is None:
            return None
        try:
            fd = os.open(full, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            return None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            return None
        return fd

    def read(self, path: str) -> bytes | None:
        """The bytes of a regular file at `path`, or None when absent, a link, or outside the root."""
        fd = self._open_regular(path)
        if fd is None:
            return None
        with os.fdopen(fd, "rb") as handle:
            return handle.read()

    def read_tail(self, path: str, size: int = 2048) -> str | None:
        """The last `size` bytes of a regular file as text (where a page's record line is), or None."""
        fd = self._open_regular(path)
        if fd is None:
            return None
        try:
            return os.pread(fd, size, max(0, os.fstat(fd).st_size - size)).decode("utf-8", errors="replace")
        finally:
            os.close(fd)

    def is_regular(self, path: str) -> bool:
        """True for a regular file at `path` (not a link, folder or anything outside the root)."""
        full = self._safe_path(path)
        try:
            return full is not None and stat.S_ISREG(os.lstat(full).st_mode)
        except OSError:
            return False

    def size(self, path: str) -> int:
        """Bytes of the file at `path` (0 when it cannot be seen); used to schedule work, never to trust."""
        try:
            return os.lstat(os.path.join(self.root, path)).st_size
        except OSError:
            return 0

    def list_files(self, folder: str) -> list[str]:
        """Regular files below `folder` (repository-relative), links not followed."""
        base = self._safe_path(folder)
        found: list[str] = []
        if base is None or not os.path.isdir(base) or os.path.islink(base):
            return found
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = [d for d in dirnames if not os.path.islink(os.path.join(dirpath, d))]
            rel = os.path.relpath(dirpath, self.root).replace(os.sep, "/")
            for name in filenames:
                if os.path.isfile(os.path.join(dirpath, name)) and not os.path.islink(os.path.join(dirpath, name)):
                    found.append(name if rel == "." else f"{rel}/{name}")
        return sorted(found)


class RevisionFiles(_Reader):
    """Reads sources and mirror pages as they are at one commit."""

    def __init__(self, repo: GitRepo, rev: str):
        self.repo = repo
        self.rev = repo.rev_parse(rev)

    def read(self, path: str) -> bytes | None:
        return self.repo.read_blob(self.rev, path)  # with rev "": ":<path>", the staged blob

    def list_files(self, folder: str) -> list[str]:
        prefix = folder.rstrip("/") + "/"
        return [p for p in self.repo.tracked_files(self.rev or None) if p.startswith(prefix)]


class IndexFiles(RevisionFiles):
    """Reads sources and mirror pages as the index (the staging area) has them: what the next commit holds."""

    def __init__(self, repo: GitRepo):
        self.repo, self.rev = repo, ""


@dataclass
class ReadStats:
    """How well the batch fetch predicted the engine's reads (unplanned reads cost a round trip each)."""

    fetched: int = 0
    planned: int = 0
    unplanned: int = 0


class TreeFiles(_Reader):
    """Sources and mirror pages at one commit, read by blob id from its tree listing."""

    def __init__(self, cache: BareRepo, entries: dict[str, TreeEntry], planned: set[str], stats: ReadStats):
        self.cache = cache
        self.entries = entries
        self.planned = planned
        self.stats = stats

    def read(self, path: str) -> bytes | None:
        entry = self.entries.get(path)
        if entry is None or entry.mode in NOT_FILES:
            return None
        if entry.oid not in self.planned:
            self.stats.unplanned += 1
        return self.cache.read_object(entry.oid)

    def list_files(self, folder: str) -> list[str]:
        prefix = folder.rstrip("/") + "/"
        return sorted(p for p in self.entries if p.startswith(prefix))
