"""`docbot init`: a `.github/docbot.yml` for the repository at hand, its mirror where no hand-written file is."""

from __future__ import annotations

import os

from bot.config import CONFIG_PATH
from bot.engine.onboarding import CANDIDATES, config_text, free_docs_dir
from bot.engine.records import is_docbot_page
from bot.errors import InputError
from bot.repo.git import GitRepo
from bot.repo.readers import WorktreeFiles


def run_init(repo_dir: str) -> tuple[str, str]:
    """Write the config; returns its path and the docs_dir chosen."""
    repo = GitRepo(repo_dir)
    files = WorktreeFiles(repo.root)
    if files.read(CONFIG_PATH) is not None:
        raise InputError(f"{CONFIG_PATH} exists already: edit it (docbot never overwrites it)")
    paths, _ = repo.worktree_files()
    if any(os.path.lexists(files.root + "/" + c) and not os.path.isdir(files.root + "/" + c) for c in CANDIDATES):
        paths = [*paths, *(c for c in CANDIDATES if os.path.lexists(files.root + "/" + c))]
    docs_dir = free_docs_dir(paths, lambda path: is_docbot_page(files.read_tail(path)))
    if docs_dir is None:
        raise InputError(f"every usual mirror folder ({', '.join(CANDIDATES)}) holds hand-written files: "
                         f"write {CONFIG_PATH} with a docs_dir of your choice")
    target = repo.root / CONFIG_PATH
    os.makedirs(target.parent, exist_ok=True)
    target.write_text(config_text(docs_dir), encoding="utf-8")
    return CONFIG_PATH, docs_dir
