"""Full generation (`--all`): every source's and folder's pages, and the pages of sources that are gone.

Pure: the per-file and per-folder tasks return the pages that differ from the mirror, and
`plan_all` hands them to a runner that decides where they run and whether they are written as
they come (bot/repo/batch.py runs them on every core and writes them in the workers).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Protocol

from bot.config import RepoConfig
from bot.engine.changes import Change
from bot.engine.folder_pages import folder_pages, subtree_page
from bot.engine.layout import FOLDER_PAGES, ancestors, folder_of
from bot.engine.planner import DocEngine, Plan, file_report, render_source
from bot.engine.records import is_docbot_page
from bot.engine.render_folders import FileEntry, FolderState
from bot.engine.sources import SourceTree

CHUNK = 8  # files per task message: fewer round trips, still an even spread over the workers

Pages = dict[str, str]
Task = Callable[[object, DocEngine], tuple[Pages, object]]


class Runner(Protocol):
    """Runs tasks for every item; a result's pages come back as written (None) when `writes` is true."""

    writes: bool

    def map(self, task: Task, items: list, chunksize: int = 1) -> Iterator[tuple[dict[str, str | None], object]]: ...


def file_task(path: str, engine: DocEngine) -> tuple[Pages, tuple[str, str, object]]:
    """One source's two pages, those that differ from the mirror; with its description and report."""
    data = engine.sources.read(path)
    if data is None:
        return {}, (path, "", None)
    result = render_source(path, data, engine.config, engine.tree)
    docs, kw = engine.layout.file_pages(path)
    old_kw = engine.mirror.read_text(kw)
    changed = {}
    if engine.mirror.read_text(docs) != result.docs_md:
        changed[docs] = result.docs_md
    if old_kw != result.kw_md:
        changed[kw] = result.kw_md
    report = file_report(path, "modified" if old_kw is not None else "added", old_kw, result) if changed else None
    return changed, (path, result.analysis.description, report)


def folder_task(state: FolderState, engine: DocEngine) -> tuple[Pages, None]:
    """A folder's index.md and doc.md (its files' descriptions are in `state`), those that changed."""
    index, doc = (engine.layout.folder_page(state.path, name) for name in ("index.md", "doc.md"))
    index_text, doc_text = folder_pages(state, engine.page_context(), engine.config)
    return _changed({index: index_text, doc: doc_text}, engine), None


def subtree_task(task: tuple[str, list[str]], engine: DocEngine) -> tuple[Pages, None]:
    """A folder's sub.md from the files below it (no analysis needed), if it changed."""
    folder, under = task
    page = engine.layout.folder_page(folder, "sub.md")
    return _changed({page: subtree_page(folder, under, engine.page_context(), engine.config)}, engine), None


def _changed(pages: Pages, engine: DocEngine) -> Pages:
    return {p: c for p, c in pages.items() if engine.mirror.read_text(p) != c}


def plan_all(engine: DocEngine, runner: Runner, progress: Callable[[int], None] | None = None) -> Plan:
    """The plan that makes the whole mirror current; pages a writing runner wrote are in `plan.written`."""
    plan = Plan()
    descriptions: dict[str, str] = {}
    pages = plan.written if runner.writes else plan.writes
    subtrees = runner.map(subtree_task, subtree_tasks(engine))  # queued first: they need no analysis
    for changed, (path, description, report) in runner.map(file_task, largest_first(engine), CHUNK):
        if report is None and not description:
            plan.skipped.append((path, "could not be read"))
        descriptions[path] = description
        pages.update(changed)  # a set of written paths takes the keys
        if report:
            plan.files.append(report)
        if progress:
            progress(1)
    for changed, _ in (*subtrees, *runner.map(folder_task, folder_states(engine, descriptions))):
        pages.update(changed)
    plan.files.sort(key=lambda r: r.path)
    plan.deletes |= orphans(engine)
    return plan


class Serial:
    """Runs tasks one after the other in this process and writes nothing (a plan to commit, not to write)."""

    writes = False

    def __init__(self, engine: DocEngine):
        self.engine = engine

    def map(self, task: Task, items: list, chunksize: int = 1) -> Iterator:
        return (task(item, self.engine) for item in items)


def whole_run_settings(before: RepoConfig | None, config: RepoConfig, changes: Iterable[Change]) -> RepoConfig | None:
    """The settings to plan the whole mirror with, when a change cannot be followed file by file: the
    mirror was made with other settings (or unknown ones), or a `.gitattributes` changed; None otherwise.
    A moved mirror's old folder is named in them, so that its pages are no sources."""
    if before is not None and before.same_mirror(config) and not SourceTree.needs_listing(changes):
        return None
    if before is not None and before.docs_dir != config.docs_dir:
        return replace(config, moved_from=before.docs_dir)
    return config


def rebuild(engine: DocEngine, before: RepoConfig | None) -> Plan:
    """The whole mirror planned in this process, nothing written (for a commit): what a change of the
    settings or of `.gitattributes` needs, the old folder's pages deleted when the mirror moved."""
    plan = plan_all(engine, Serial(engine))
    plan.deletes |= pages_left_behind(engine, before) if before else set()
    plan.conflicts = engine.taken_pages(set(plan.writes) | plan.deletes)
    return plan


def pages_left_behind(engine: DocEngine, old: RepoConfig) -> set[str]:
    """docbot's pages under the folder the mirror moved away from (docs_dir changed)."""
    if old.docs_dir == engine.config.docs_dir:
        return set()
    return {page for page in engine.mirror.list_files(old.docs_dir)
            if old.is_generated(page) and is_docbot_page(engine.mirror.read_text(page))}


def largest_first(engine: DocEngine) -> list[str]:
    """Sources ordered so the big ones start first and no worker is left alone with one at the end."""
    paths = sorted(engine.tree.sources)
    size = getattr(engine.sources, "size", None)
    return sorted(paths, key=lambda p: -size(p)) if size else paths


def subtree_tasks(engine: DocEngine) -> list[tuple[str, list[str]]]:
    """Each folder with the files below it, the folders with most files first."""
    under: dict[str, list[str]] = defaultdict(list)
    for path in sorted(engine.tree.sources):
        for folder in ancestors(folder_of(path)):
            under[folder].append(path)
    return sorted(under.items(), key=lambda task: -len(task[1]))


def folder_states(engine: DocEngine, descriptions: dict[str, str]) -> list[FolderState]:
    tree, states = engine.tree, []
    for folder in tree.folders() if tree.sources else []:
        files = tuple(FileEntry(p.rpartition("/")[2], descriptions.get(p, "")) for p in tree.files_in(folder))
        states.append(FolderState(folder, files, tuple(tree.subfolders(folder))))
    return states


def expected_pages(engine: DocEngine) -> set[str]:
    """Every page the mirror holds for these sources: two per source, three per folder."""
    expected = set()
    for path in engine.tree.sources:
        expected.update(engine.layout.file_pages(path))
    for folder in engine.tree.folders() if engine.tree.sources else []:
        expected.update(engine.layout.folder_page(folder, name) for name in FOLDER_PAGES)
    return expected


def orphans(engine: DocEngine) -> set[str]:
    """Pages docbot generated earlier whose source or folder is gone."""
    expected = expected_pages(engine)
    listing = engine.mirror.list_files(engine.config.docs_dir) if hasattr(engine.mirror, "list_files") else []
    return {page for page in listing if page not in expected and engine.config.is_generated(page)
            and is_docbot_page(engine.mirror.read_text(page))}
