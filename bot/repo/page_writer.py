"""The one place that writes mirror pages into a work tree: atomic, never through a link, never outside docs_dir."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from bot.errors import InputError


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


def check_docs_dir(root: str | os.PathLike[str], docs_dir: str, source: str) -> None:
    """InputError when docs_dir (or a folder on its way) is a file or a link: pages could not go there."""
    current = os.path.realpath(root)
    for part in docs_dir.split("/"):
        current = os.path.join(current, part)
        if os.path.islink(current) or (os.path.lexists(current) and not os.path.isdir(current)):
            raise InputError(f"{source}: docs_dir {docs_dir!r} names a file or a link "
                             f"({os.path.relpath(current, root)}), not a folder; choose a folder for the mirror")


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
