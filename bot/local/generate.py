"""`docbot generate`: the pages of named paths, of a change against a revision, or of every source."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from bot.config import CONFIG_PATH, RepoConfig, docs_dir_source, load_config
from bot.engine.changes import Change
from bot.engine.full import expected_pages, pages_left_behind, plan_all, whole_run_settings
from bot.engine.layout import Layout
from bot.engine.planner import DocEngine, Plan
from bot.engine.records import is_docbot_page
from bot.engine.sources import SourceTree
from bot.errors import InputError, OwnershipError
from bot.local.pr import config_at
from bot.repo.batch import Batch
from bot.repo.git import GitRepo
from bot.repo.listing_cache import MAX_PATCHED, attributes_at, remembered_sources
from bot.repo.page_writer import check_docs_dir, write_pages
from bot.repo.readers import WorktreeFiles


@dataclass(frozen=True)
class GenerateRequest:
    """What `docbot generate` was asked: where, which pages, and whether to write them."""

    repo: str = "."
    paths: tuple[str, ...] = ()
    base: str | None = None
    everything: bool = False
    check: bool = False
    jobs: int = 1
    overrides: dict | None = None


def run_generate(request: GenerateRequest) -> tuple[Plan, RepoConfig]:
    """Plan the pages the request names and, unless it only checks, write them."""
    repo = GitRepo(request.repo)
    files = WorktreeFiles(repo.root)
    config = load_config(files.read(CONFIG_PATH), request.overrides or {}, repo.project_name())
    check_docs_dir(repo.root, config.docs_dir, docs_dir_source(request.overrides))
    changes, everything, before = None, request.everything, config
    if not everything and not request.paths:
        if not request.base and not repo.has_commits():
            raise InputError("the repository has no commits yet: use --all for a first generation")
        changes = repo.changes(request.base or "HEAD")
        before = config_at(repo, request.base or "HEAD", request.overrides)
        # Other settings or attributes choose other files and shape other text: only a full run is exact.
        if (whole := whole_run_settings(before, config, changes)) is not None:
            changes, everything, config = None, True, whole
    engine = DocEngine(config, worktree_sources(repo, files, config, request.base, changes), files, files)
    if everything:
        # A first generation (no docs folder yet) finds nothing in its way without a look at each page.
        present = os.path.isdir(os.path.join(repo.root, config.docs_dir))
        taken = [p for p in sorted(expected_pages(engine)) if present and not _ours_or_absent(files.read_tail(p))]
        if taken:
            raise OwnershipError(taken, config.docs_dir)
        plan = _plan_all(engine, request.jobs, None if request.check else repo.root)
        left_behind = pages_left_behind(engine, before) if before else set()
        if left_behind and not request.check:
            write_pages(repo.root, before.docs_dir, {}, left_behind)
        plan.deletes |= left_behind
    elif request.paths:
        plan = engine.plan_paths(_repo_paths(repo, engine.tree, files, request.paths))
    else:
        plan = engine.plan_changes(changes)
    if plan.conflicts:
        raise OwnershipError(plan.conflicts, config.docs_dir)
    if not request.check:
        inside = {p for p in plan.deletes if p.startswith(config.docs_dir + "/")}  # the rest left with the old folder
        write_pages(repo.root, config.docs_dir, plan.writes, inside)
    return plan, config


def _ours_or_absent(tail: str | None) -> bool:
    return tail is None or is_docbot_page(tail)


def worktree_sources(
    repo: GitRepo, files: WorktreeFiles, config: RepoConfig, base: str | None, changes: list[Change] | None
) -> SourceTree:
    """The work tree's sources: for a change, the base commit's (remembered) patched with it; else listed."""
    if changes is not None and len(changes) <= MAX_PATCHED and not SourceTree.needs_listing(changes):
        return remembered_sources(repo, config, base or "HEAD").after(changes, files.is_regular)
    gone = None if changes is None else {c.old_path or c.path for c in changes if c.status in ("D", "R")}
    paths, links = repo.worktree_files(gone, prune=config.without_generated)
    return SourceTree(paths, config, links, attributes_at(paths, files.read))


def _plan_all(engine: DocEngine, jobs: int, write_root) -> Plan:
    total = len(engine.tree.sources)
    if not sys.stderr.isatty() or total < 50:  # no bar to draw: tqdm is not even imported
        with Batch(engine, max(1, jobs), write_root, total) as runner:
            return plan_all(engine, runner)
    from tqdm import tqdm

    with tqdm(total=total, unit="file", file=sys.stderr) as bar:
        with Batch(engine, max(1, jobs), write_root, total) as runner:
            return plan_all(engine, runner, progress=bar.update)


def _repo_paths(repo: GitRepo, tree: SourceTree, docs: WorktreeFiles, raw: Sequence[str]) -> list[str]:
    """Command-line paths as repository paths; anything outside the repository is refused."""
    found: list[str] = []
    for arg in raw:
        full = os.path.realpath(os.path.abspath(arg))
        root = str(repo.root)
        if full != root and not full.startswith(root + os.sep):
            raise InputError(f"{arg}: outside the repository {root}")
        rel = "" if full == root else os.path.relpath(full, root).replace(os.sep, "/")
        if os.path.isdir(full):
            found += tree.files_under(rel)
        elif rel in tree or docs.read(Layout(tree.config.docs_dir).docs_page(rel)) is not None:
            found.append(rel)
        else:
            raise InputError(f"{arg}: not a documented source (excluded, missing, or generated)")
    return found
