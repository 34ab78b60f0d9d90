"""Full generation (`--all`): every source, every folder, orphaned pages removed; both cores used."""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import defaultdict
from collections.abc import Callable, Iterator

from bot.docset import DocEngine, FileReport, Plan, keyword_diff, render_source
from bot.layout import FOLDER_PAGES, ancestors, folder_of
from bot.mirror import PageWriter
from bot.pages import parse_keywords
from bot.render import FileEntry, FolderState, render_folder_doc, render_folder_index, render_subtree, warm_up

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
        if writer is not None:
            writer.write(changed)
            changed = dict.fromkeys(changed)
    return path, result.analysis.description, changed, report


def _one_in_worker(path: str):
    assert _worker is not None
    return _one(path, *_worker)


def _results(engine: DocEngine, paths: list[str], jobs: int, write_root: str | None) -> Iterator:
    if jobs <= 1 or len(paths) < 2 * _CHUNK:
        thresholds = gc.get_threshold()
        _tune_gc_for_batch()
        writer = _writer(engine, write_root)
        try:
            yield from (_one(p, engine, writer) for p in paths)
        finally:
            gc.set_threshold(*thresholds)
            gc.unfreeze()
        return
    warm_up()
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(jobs, initializer=_init_worker, initargs=(engine, write_root)) as pool:
        yield from pool.imap_unordered(_one_in_worker, paths, chunksize=_CHUNK)


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

    With `write_root`, every source's own pages are written as soon as they are rendered (they
    are listed in `plan.written`); folder pages and deletions are left in the plan as usual.
    """
    plan = Plan()
    descriptions: dict[str, str] = {}
    root = None if write_root is None else os.fspath(write_root)
    for path, description, changed, report in _results(engine, _largest_first(engine), jobs, root):
        if report is None and not description:
            plan.skipped.append((path, "could not be read"))
        descriptions[path] = description
        if root is None:
            plan.writes.update(changed)
        else:
            plan.written.update(changed)
        if report:
            plan.files.append(report)
        if progress:
            progress(1)
    plan.files.sort(key=lambda r: r.path)
    _folder_pages(engine, plan, descriptions)
    _orphans(engine, plan)
    return plan


def _folder_pages(engine: DocEngine, plan: Plan, descriptions: dict[str, str]) -> None:
    tree, layout, ctx = engine.tree, engine.layout, engine.page_context()
    under: dict[str, list[str]] = defaultdict(list)
    for path in sorted(tree.sources):
        for folder in ancestors(folder_of(path)):
            under[folder].append(path)
    for folder in tree.folders() if tree.sources else []:
        files = tuple(FileEntry(p.rpartition("/")[2], descriptions.get(p, "")) for p in tree.files_in(folder))
        state = FolderState(folder, files, tuple(tree.subfolders(folder)))
        index, doc, sub = (layout.folder_page(folder, name) for name in FOLDER_PAGES)
        pages = {
            index: render_folder_index(state, ctx),
            doc: render_folder_doc(state, ctx),
            sub: render_subtree(folder, under[folder], ctx),
        }
        plan.writes.update({p: c for p, c in pages.items() if engine.mirror.read_text(p) != c})


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

