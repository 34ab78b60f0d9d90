"""`docbot check`: the whole mirror of the work tree verified from its pages' records, nothing analyzed."""

from __future__ import annotations

from bot.config import CONFIG_PATH, RepoConfig, load_config
from bot.engine.check import StalePage, check_mirror
from bot.engine.records import blob_id
from bot.engine.sources import SourceTree
from bot.repo.git import GitRepo
from bot.repo.listing_cache import attributes_at
from bot.repo.readers import WorktreeFiles


def run_check(repo_dir: str, overrides: dict | None = None) -> tuple[list[StalePage], RepoConfig, int]:
    """Stale pages with why, the config used, and how many sources were checked."""
    repo = GitRepo(repo_dir)
    files = WorktreeFiles(repo.root)
    config = load_config(files.read(CONFIG_PATH), overrides or {}, repo.project_name())
    blobs = worktree_blobs(repo, files, config)
    tree = SourceTree(blobs, config, attributes=attributes_at(blobs, files.read))
    stale = check_mirror(config, tree, blobs, files.list_files(config.docs_dir), files.read_text)
    return stale, config, len(tree.sources)


def worktree_blobs(repo: GitRepo, files: WorktreeFiles, config: RepoConfig) -> dict[str, str]:
    """The git blob id of every file as the work tree has it: the index's, read again where the work tree
    changed a file, and untracked files' (links, folders and the mirror's pages left out)."""
    blobs, changed = repo.index_blobs(prune=config.without_generated)
    fresh = changed | set(config.without_generated(repo.untracked_files()))
    for path in fresh:
        data = files.read(path) if files.is_regular(path) else None
        if data is None:
            blobs.pop(path, None)
        else:
            blobs[path] = blob_id(data)
    return blobs
