"""Full generation (`--all`): every source, every folder, orphaned pages removed; both cores used."""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import defaultdict
from collections.abc import Callable, Iterator
from functools import partial

from bot.engine.layout import FOLDER_PAGES, ancestors, folder_of
from bot.engine.planner import DocEngine, FileReport, Plan, keyword_diff, render_source
from bot.engine.readback import parse_keywords
from bot.engine.render import FileEntry, FolderState, render_folder_doc, render_folder_index, render_subtree, warm_up
from bot.repo.worktree import PageWriter

_CHUNK = 8
_worker: tuple[DocEngine, PageWriter | None] | None = None


def _init_worker(engine: DocEngine, write_root: str | None) -> None:
    global _worker
    _worker = (engine, _writer(engine, write_root))
    _tune_gc_for_batch()


def _writer(engine: DocEngine, write_root: str | None) -> PageWriter | None:
    return None if write_root is None else PageWriter(write_root, engine.config.docs_dir)


def _tune_gc_for_batch() -> None:
    """Fewer cycle collections for a batch that allocates a whole syntax tree per file.

    The trees are acyclic and freed by reference counting; each cycle collection would walk them
    (and every module inherited from the parent) for nothing. `freeze` parks the inherited
    objects, the higher threshold spaces the collections out; cycles are still collected.
    """
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)


def _one(path: str, engine: DocEngine, writer: PageWriter | None):
    """Render one source; returns its description, the pages that differ from the mirror, and a report.

    With a `writer`, those pages are written here, in the worker, and only their paths travel
    back: a full generation moves tens of megabytes of pages that the parent never needs to see.
    """
    data = engine.sources.read(path)
    if data is None:
        return path, "", {}, None
    result = render_source(path, data, engine.config, engine.tree)
    docs, kw = engine.layout.file_pages(path)
    old_kw = engine.mirror.read_text(kw)
    changed = {}
    if engine.mirror.read_text(docs) != result.docs_md:
        changed[docs] = result.docs_md
    if old_kw != result.kw_md:
        changed[kw] = result.kw_md
    report = None
    if changed:
        added, removed = keyword_diff(parse_keywords(old_kw) if old_kw else None, result.analysis)
        status = "modified" if old_kw is not None else "added"
        report = FileReport(path, status, None, added, removed, result.analysis.degraded)
    return path, result.analysis.description, _written(changed, writer), report


def _folder(state: FolderState, engine: DocEngine, writer: PageWriter | None) -> dict:
    """Render a folder's index.md and doc.md (its files' descriptions are in `state`); returns those that changed."""
    ctx = engine.page_context()
    index, doc = (engine.layout.folder_page(state.path, name) for name in ("index.md", "doc.md"))
    pages = {index: render_folder_index(state, ctx), doc: render_folder_doc(state, ctx)}
    return _changed(pages, engine, writer)


def _subtree(task: tuple[str, list[str]], engine: DocEngine, writer: PageWriter | None) -> dict:
    """Render a folder's sub.md from the files below it (no analysis needed); returns it if it changed."""
    folder, under = task
    pages = {engine.layout.folder_page(folder, "sub.md"): render_subtree(folder, under, engine.page_context())}
    return _changed(pages, engine, writer)


def _changed(pages: dict[str, str], engine: DocEngine, writer: PageWriter | None) -> dict:
    return _written({p: c for p, c in pages.items() if engine.mirror.read_text(p) != c}, writer)


def _written(changed: dict[str, str], writer: PageWriter | None) -> dict[str, str | None]:
    """With a writer, the pages are written now and only their paths go back to the parent."""
    if writer is None or not changed:
        return changed
    writer.write(changed)
    return dict.fromkeys(changed)


def _in_worker(task: Callable, item):
    """Run one task of the batch in a forked worker, with the engine and writer it was started with."""
    assert _worker is not None
    return task(item, *_worker)


class _Runner:
    """Runs the per-file and per-folder work here, or in a pool of forked workers that share the engine."""

    def __init__(self, engine: DocEngine, jobs: int, write_root: str | None, items: int):
        self.engine, self.write_root = engine, write_root
        self.parallel = jobs > 1 and items >= 2 * _CHUNK
        self.jobs = jobs

    def __enter__(self) -> _Runner:
        if self.parallel:
            warm_up()
            ctx = multiprocessing.get_context("fork")
            self.pool = ctx.Pool(self.jobs, initializer=_init_worker, initargs=(self.engine, self.write_root))
        else:
            self.thresholds = gc.get_threshold()
            _tune_gc_for_batch()
            self.writer = _writer(self.engine, self.write_root)
        return self

    def __exit__(self, *exc) -> None:
        if self.parallel:
            if exc[0] is None:
                self.pool.close()
            else:
                self.pool.terminate()
            self.pool.join()
        else:
            gc.set_threshold(*self.thresholds)
            gc.unfreeze()

    def map(self, task: Callable, items: list, chunksize: int = 1) -> Iterator:
        """`task(item, engine, writer)` for every item, results in any order."""
        if self.parallel:
            return self.pool.imap_unordered(partial(_in_worker, task), items, chunksize=chunksize)
        return (task(item, self.engine, self.writer) for item in items)


def _largest_first(engine: DocEngine) -> list[str]:
    """Sources ordered so the big ones start first and no worker is left alone with one at the end."""
    paths = sorted(engine.tree.sources)
    size = getattr(engine.sources, "size", None)
    return sorted(paths, key=lambda p: -size(p)) if size else paths


def plan_all(
    engine: DocEngine,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
    write_root: str | os.PathLike[str] | None = None,
) -> Plan:
    """The plan that makes the whole mirror current.

    With `write_root`, every source's and folder's pages are written as soon as they are
    rendered (they are listed in `plan.written`); deletions are left in the plan as usual.
    """
    plan = Plan()
    descriptions: dict[str, str] = {}
    root = None if write_root is None else os.fspath(write_root)
    pages = plan.writes if root is None else plan.written
    paths = _largest_first(engine)
    with _Runner(engine, jobs, root, len(paths)) as runner:
        subtrees = runner.map(_subtree, _subtree_tasks(engine))  # queued first: they need no analysis
        for path, description, changed, report in runner.map(_one, paths, _CHUNK):
            if report is None and not description:
                plan.skipped.append((path, "could not be read"))
            descriptions[path] = description
            pages.update(changed)
            if report:
                plan.files.append(report)
            if progress:
                progress(1)
        for changed in (*subtrees, *runner.map(_folder, _folder_states(engine, descriptions))):
            pages.update(changed)
    plan.files.sort(key=lambda r: r.path)
    _orphans(engine, plan)
    return plan


def _subtree_tasks(engine: DocEngine) -> list[tuple[str, list[str]]]:
    """Each folder with the files below it, the folders with most files first."""
    tree = engine.tree
    under: dict[str, list[str]] = defaultdict(list)
    for path in sorted(tree.sources):
        for folder in ancestors(folder_of(path)):
            under[folder].append(path)
    return sorted(under.items(), key=lambda task: -len(task[1]))


def _folder_states(engine: DocEngine, descriptions: dict[str, str]) -> list[FolderState]:
    tree, states = engine.tree, []
    for folder in tree.folders() if tree.sources else []:
        files = tuple(FileEntry(p.rpartition("/")[2], descriptions.get(p, "")) for p in tree.files_in(folder))
        states.append(FolderState(folder, files, tuple(tree.subfolders(folder))))
    return states


def _orphans(engine: DocEngine, plan: Plan) -> None:
    """Pages docbot generated earlier whose source or folder is gone."""
    expected = set()
    for path in engine.tree.sources:
        expected.update(engine.layout.file_pages(path))
    for folder in engine.tree.folders() if engine.tree.sources else []:
        expected.update(engine.layout.folder_page(folder, name) for name in FOLDER_PAGES)
    listing = engine.mirror.list_files(engine.config.docs_dir) if hasattr(engine.mirror, "list_files") else []
    for page in listing:
        if page in expected or not engine.config.is_generated(page):
            continue
        if _is_generated_text(engine.mirror.read_text(page)):
            plan.deletes.add(page)


def _is_generated_text(text: str | None) -> bool:
    """True for pages with a generator footer: a human-written file of the same name is never removed."""
    if not text:
        return False
    tail = text.rstrip().rsplit("\n", 1)[-1].strip()
    return tail.startswith("*Generated by ") and tail.endswith("*")

