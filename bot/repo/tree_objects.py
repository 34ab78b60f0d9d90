"""Git tree objects rewritten along the changed paths only (sans-I/O: reading and writing are given).

Rebuilding a whole index for a commit costs time in proportion to the repository; rewriting only
the trees on the way to the changed files costs time in proportion to the change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import NamedTuple

TREE_MODE = "40000"
FILE_MODE = "100644"


class TreeEntry(NamedTuple):
    """One file of a commit's tree, known without its blob."""

    mode: str
    oid: str


Entries = dict[str, TreeEntry]  # name -> (mode, hex object id)
ReadTree = Callable[[str], bytes]  # tree id -> raw tree object
WriteObject = Callable[[str, bytes], str]  # (type, raw object) -> id


def parse_tree(raw: bytes) -> Entries:
    """The entries of a raw tree object: `<mode> <name>\\0<20 or 32 byte id>` repeated."""
    entries: Entries = {}
    at, width = 0, 20
    while at < len(raw):
        space = raw.index(b" ", at)
        nul = raw.index(b"\0", space)
        mode, name = raw[at:space].decode(), raw[space + 1 : nul].decode("utf-8", "surrogateescape")
        entries[name] = TreeEntry(mode, raw[nul + 1 : nul + 1 + width].hex())
        at = nul + 1 + width
    return entries


def format_tree(entries: Entries) -> bytes:
    """A raw tree object, entries in git's order (a folder sorts as if its name ended in '/')."""
    def key(item: tuple[str, TreeEntry]) -> bytes:
        name, (mode, _) = item
        return name.encode("utf-8", "surrogateescape") + (b"/" if mode == TREE_MODE else b"")

    parts = []
    for name, (mode, oid) in sorted(entries.items(), key=key):
        parts.append(f"{mode} ".encode() + name.encode("utf-8", "surrogateescape") + b"\0" + bytes.fromhex(oid))
    return b"".join(parts)


def rewrite_tree(root: str | None, writes: Mapping[str, str], deletes: Iterable[str],
                 read_tree: ReadTree, write_object: WriteObject) -> str:
    """The id of `root` with files set to blob ids (`writes`) and removed (`deletes`); others kept."""
    changes: dict[str, dict[str, str | None]] = defaultdict(dict)  # folder -> name -> blob id or None
    for path in deletes:
        folder, _, name = path.rpartition("/")
        changes[folder][name] = None
    for path, oid in writes.items():
        folder, _, name = path.rpartition("/")
        changes[folder][name] = oid
    for folder in list(changes):  # every folder above a change changes too
        while folder:
            folder, _, _ = folder.rpartition("/")
            changes.setdefault(folder, {})
    return _rewrite("", root, changes, read_tree, write_object) or write_object("tree", b"")


def _rewrite(folder: str, tree: str | None, changes: dict[str, dict[str, str | None]],
             read_tree: ReadTree, write_object: WriteObject) -> str | None:
    """The new id of one folder's tree, or None when nothing is left in it."""
    entries = parse_tree(read_tree(tree)) if tree else {}
    for name, oid in changes[folder].items():
        if oid is None:
            entries.pop(name, None)
        else:
            mode = entries[name][0] if name in entries and entries[name][0] != TREE_MODE else FILE_MODE
            entries[name] = TreeEntry(mode, oid)
    prefix = folder + "/" if folder else ""
    for child in {p[len(prefix):].split("/")[0] for p in changes if p.startswith(prefix) and p != folder}:
        old = entries.get(child)
        new = _rewrite(prefix + child, old[1] if old and old[0] == TREE_MODE else None, changes, read_tree,
                       write_object)
        if new is None:
            entries.pop(child, None)
        else:
            entries[child] = TreeEntry(TREE_MODE, new)
    return write_object("tree", format_tree(entries)) if entries else None
