"""Files of a work tree: safe reads of sources and mirror pages, and the one function that writes pages."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

from bot.errors import InputError


class WorktreeFiles:
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

    def read(self, path: str) -> bytes | None:
        """The bytes of a regular file at `path`, or None when absent, a link, or outside the root."""
        full = self._safe_path(path)
        if full is None:
            return None
        try:
            fd = os.open(full, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            return None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            with os.fdopen(fd, "rb", closefd=False) as handle:
                return handle.read()
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

    def read_text(self, path: str) -> str | None:
        data = self.read(path)
        return None if data is None else data.decode("utf-8", errors="replace")

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


class _Targets:
    """Absolute paths for mirror pages, refusing anything that could land outside docs_dir.

    Folders already checked (no link on the way) and created are remembered for the call:
    a full generation writes thousands of pages into a few hundred folders.
    """

    def __init__(self, root: str, docs_dir: str):
        self.root, self.docs_dir = root, docs_dir
        self._safe_folders: set[str] = set()

    def path(self, path: str) -> str:
        parts = path.split("/")
        if not path.startswith(self.docs_dir + "/") or any(p in ("", ".", "..") for p in parts) or "\0" in path:
            raise InputError(f"refusing to write outside {self.docs_dir}/: {path!r}")
        current = self.root
        for part in parts[:-1]:
            current = os.path.join(current, part)
            if current in self._safe_folders:
                continue
            if os.path.islink(current):
                raise InputError(f"refusing to write through a symbolic link: {os.path.relpath(current, self.root)}")
            self._safe_folders.add(current)
        return os.path.join(self.root, *parts)


class PageWriter:
    """Writes and deletes mirror pages below `root`/`docs_dir`; every write is atomic (a rename).

    Folders found safe and created are remembered for the writer's life: one run, which writes
    thousands of pages into a few hundred folders.
    """

    def __init__(self, root: str | os.PathLike[str], docs_dir: str):
        self.root = os.path.realpath(root)
        self.docs_dir = docs_dir
        self._targets = _Targets(self.root, docs_dir)
        self._made: set[str] = set()

    def write(self, writes: Mapping[str, str], deletes: Iterable[str] = ()) -> None:
        for path in sorted(deletes):
            target = self._targets.path(path)
            if os.path.isfile(target) and not os.path.islink(target):
                os.unlink(target)
                _prune_empty(self.root, os.path.dirname(target), self.docs_dir)
                self._made.clear()  # pruning may have removed folders made earlier
        for path, content in sorted(writes.items()):
            target = self._targets.path(path)
            folder = os.path.dirname(target)
            if folder not in self._made:
                os.makedirs(folder, exist_ok=True)
                self._made.add(folder)
            _write_atomically(target, content.encode("utf-8"))


def write_pages(
    root: str | os.PathLike[str], docs_dir: str, writes: Mapping[str, str], deletes: Iterable[str] = ()
) -> None:
    """Write and delete mirror pages below `root`/`docs_dir` (see PageWriter)."""
    PageWriter(root, docs_dir).write(writes, deletes)


def _write_atomically(target: str, data: bytes) -> None:
    """Write beside the target, then rename over it: readers never see half a page."""
    tmp = os.path.join(os.path.dirname(target), f".{os.path.basename(target)}.docbot-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)  # replaces a link at target itself, never follows it
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _prune_empty(root: str, folder: str, docs_dir: str) -> None:
    """Remove folders the deletions left empty, up to (not including) docs_dir."""
    stop = os.path.join(root, *docs_dir.split("/"))
    while folder.startswith(stop + os.sep):
        try:
            os.rmdir(folder)
        except OSError:
            return
        folder = os.path.dirname(folder)
