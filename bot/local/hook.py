"""The pre-commit hook (`docbot generate --staged`): the pages of what is staged, read from the index.

The next commit holds the index, not the work tree: sources and pages are read from there,
untracked files are none of its business, and the first commit of a repository (no HEAD yet)
works like any other. Regenerated pages are written to the work tree for the author to add.
"""

from __future__ import annotations

from bot.config import CONFIG_PATH, RepoConfig, docs_dir_source, load_config
from bot.engine.full import rebuild, whole_run_settings
from bot.engine.planner import DocEngine, Plan
from bot.engine.sources import SourceTree
from bot.errors import OwnershipError
from bot.local.pr import config_at
from bot.repo.git import GitRepo
from bot.repo.listing_cache import attributes_at
from bot.repo.page_writer import check_docs_dir, write_pages
from bot.repo.readers import IndexFiles


def run_staged(repo_dir: str, overrides: dict | None = None) -> tuple[Plan, RepoConfig]:
    """Regenerate the pages the staged change affects (all of them when the settings changed)."""
    repo = GitRepo(repo_dir)
    index = IndexFiles(repo)
    config = load_config(index.read(CONFIG_PATH), overrides or {}, repo.project_name())
    check_docs_dir(repo.root, config.docs_dir, docs_dir_source(overrides))
    changes = repo.staged_changes()
    before = config_at(repo, "HEAD", overrides) if repo.has_commits() else config
    whole = whole_run_settings(before, config, changes)
    config = whole if whole is not None else config
    paths, links = repo.listing(prune=config.without_generated)
    engine = DocEngine(config, SourceTree(paths, config, links, attributes_at(paths, index.read)), index, index)
    plan = rebuild(engine, before) if whole is not None else engine.plan_changes(changes)
    if plan.conflicts:
        raise OwnershipError(plan.conflicts, config.docs_dir)
    inside = {p for p in plan.deletes if p.startswith(config.docs_dir + "/")}
    write_pages(repo.root, config.docs_dir, plan.writes, inside)
    if before is not None and plan.deletes - inside:
        write_pages(repo.root, before.docs_dir, {}, plan.deletes - inside)
    return plan, config
