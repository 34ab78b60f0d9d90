"""Folder pages (index.md, doc.md, sub.md) of the folders a change touches, rebuilt from the mirror itself."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from bot.config import RepoConfig
from bot.engine.layout import FOLDER_PAGES, ancestors, folder_of
from bot.engine.readback import parse_folder_index, parse_subtree
from bot.engine.records import digest, folder_digest, names_digest, patched_subtree_digest, sign, split, subtree_digest
from bot.engine.render_folders import FileEntry, FolderState, render_folder_doc, render_folder_index, render_subtree
from bot.engine.subtree_patch import patch_subtree
from bot.engine.templates import PageContext

if TYPE_CHECKING:
    from bot.engine.planner import DocEngine, Plan


def folder_pages(state: FolderState, ctx: PageContext, config: RepoConfig) -> tuple[str, str]:
    """A folder's index.md and doc.md, each with its record line."""
    fields = {"names": names_digest((f.name for f in state.files), state.subfolders),
              "in": folder_digest(((f.name, digest(f.description)) for f in state.files), state.subfolders)}
    index, doc = render_folder_index(state, ctx), render_folder_doc(state, ctx)
    return sign(index, config, **fields), sign(doc, config, **fields)


def subtree_page(folder: str, paths: Iterable[str], ctx: PageContext, config: RepoConfig) -> str:
    """A folder's sub.md with its record line."""
    paths = sorted(paths)
    return sign(render_subtree(folder, paths, ctx), config, **{"in": subtree_digest(paths)})


def _depth(folder: str) -> int:
    return folder.count("/") + 1 if folder else 0


class FolderPlanner:
    """Applies file additions, deletions and new descriptions to the folder pages above them."""

    def __init__(self, engine: DocEngine, plan: Plan):
        self.engine = engine
        self.plan = plan
        self.layout = engine.layout
        self.ctx = engine.page_context()

    def update(self, descriptions: dict[str, str], added: Iterable[str], deleted: Iterable[str]) -> None:
        entries: dict[str, dict[str, str]] = defaultdict(dict)
        removed: dict[str, set[str]] = defaultdict(set)
        sub_delta: dict[str, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
        for path, description in descriptions.items():
            entries[folder_of(path)][path.rpartition("/")[2]] = description
        for path in deleted:
            removed[folder_of(path)].add(path.rpartition("/")[2])
            for folder in ancestors(folder_of(path)):
                sub_delta[folder][1].add(path)
        for path in added:
            for folder in ancestors(folder_of(path)):
                sub_delta[folder][0].add(path)
        touched = {a for f in set(entries) | set(removed) for a in ancestors(f)}
        children: dict[str, dict[str, bool]] = defaultdict(dict)
        for folder in sorted(touched, key=lambda f: (-_depth(f), f)):
            present = self._update_folder(folder, entries.get(folder, {}), removed.get(folder, set()),
                                          children.get(folder, {}), sub_delta.get(folder))
            if folder:
                children[folder_of(folder)][folder.rpartition("/")[2]] = present

    def _update_folder(self, folder, entries, removed, children, sub_delta) -> bool:
        """Write one folder's pages; returns whether the folder still holds documented files."""
        state, rebuilt = self._load_state(folder, entries)
        files = {e.name: e.description for e in state.files if e.name not in removed}
        files.update(entries)
        subs = {s for s in state.subfolders if children.get(s, True)}
        subs.update(name for name, present in children.items() if present)
        pages = [self.layout.folder_page(folder, name) for name in FOLDER_PAGES]
        if not files and not subs:
            self.plan.deletes.update(pages)
            return False
        new_state = FolderState(folder, tuple(FileEntry(n, files[n]) for n in sorted(files)), tuple(sorted(subs)))
        self.plan.writes[pages[0]], self.plan.writes[pages[1]] = folder_pages(new_state, self.ctx, self.engine.config)
        # index.md and sub.md are written together: only a folder whose index was missing can lack its
        # sub.md, and reading the root's sub.md (every file of the repository) just to be sure costs time.
        if sub_delta is not None or (rebuilt and self.engine.read_page(pages[2]) is None):
            self.plan.writes[pages[2]] = self._subtree_page(folder, pages[2], sub_delta)
        return True

    def _subtree_page(self, folder: str, page: str, delta: tuple[set[str], set[str]] | None) -> str:
        """sub.md patched with the change where it can be, else rebuilt from its own list or the tree."""
        text = self.engine.read_page(page)
        body, record = split(text) if text else ("", None)
        config = self.engine.config
        if record and "in" in record and delta is not None:
            patched = patch_subtree(body, folder, delta[0], delta[1], self.ctx)
            if patched is not None:
                text, added, removed = patched
                return sign(text, config, **{"in": patched_subtree_digest(record["in"], added, removed)})
        parsed = parse_subtree(body, folder) if text else None
        paths = set(parsed) if parsed is not None else set(self.engine.tree.files_under(folder))
        if delta is not None:
            paths = (paths | delta[0]) - delta[1]
        return subtree_page(folder, paths, self.ctx, config)

    def _load_state(self, folder: str, fresh: dict[str, str]) -> tuple[FolderState, bool]:
        """The folder as its index.md records it, or rebuilt from the tree (True) when that page is missing."""
        text = self.engine.read_page(self.layout.folder_page(folder, "index.md"))
        state = parse_folder_index(text, folder) if text else None
        if state is not None:
            return state, False
        tree = self.engine.tree
        files = []
        for path in tree.files_in(folder):
            name = path.rpartition("/")[2]
            description = fresh.get(name) or self.engine.folder_description_source(path)
            files.append(FileEntry(name, description))
        return FolderState(folder, tuple(files), tuple(tree.subfolders(folder))), True
