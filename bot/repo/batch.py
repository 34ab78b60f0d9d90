"""Runs the engine's full-generation tasks on every core, writing each task's pages in the worker.

A full generation moves tens of megabytes of pages the parent never needs to see: with a
write root, the workers write them and only their paths travel back.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Iterator
from functools import partial

from bot.engine.full import Task
from bot.engine.planner import DocEngine
from bot.engine.templates import warm_up
from bot.repo.page_writer import PageWriter

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


def _run(task: Task, item, engine: DocEngine, writer: PageWriter | None):
    """One task; with a writer its pages are written here and only their paths go back."""
    pages, extra = task(item, engine)
    if writer is None or not pages:
        return pages, extra
    writer.write(pages)
    return dict.fromkeys(pages), extra


def _in_worker(task: Task, item):
    """Run one task of the batch in a forked worker, with the engine and writer it was started with."""
    assert _worker is not None
    return _run(task, item, *_worker)


class Batch:
    """Runs tasks here, or in a pool of forked workers that share the engine (`with Batch(...) as runner`)."""

    def __init__(self, engine: DocEngine, jobs: int, write_root: str | os.PathLike[str] | None, items: int,
                 chunk: int = 8):
        self.engine = engine
        self.write_root = None if write_root is None else os.fspath(write_root)
        self.writes = write_root is not None
        self.parallel = jobs > 1 and items >= 2 * chunk
        self.jobs = jobs

    def __enter__(self) -> Batch:
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

    def map(self, task: Task, items: list, chunksize: int = 1) -> Iterator:
        """`task(item, engine)` for every item, results in any order."""
        if self.parallel:
            return self.pool.imap_unordered(partial(_in_worker, task), items, chunksize=chunksize)
        return (_run(task, item, self.engine, self.writer) for item in items)
