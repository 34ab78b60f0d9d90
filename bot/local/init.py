"""`docbot init`: a `.github/docbot.yml` for the repository at hand, its mirror where no hand-written file is."""

from __future__ import annotations

import os

from bot.config import CONFIG_PATH
from bot.engine.records import is_docbot_page
from bot.errors import InputError
from bot.repo.git import GitRepo
from bot.repo.readers import WorktreeFiles

# Where the mirror may go, in order of preference; an mkdocs or Sphinx `docs/` keeps its files.
CANDIDATES = ("docs", "docs-mirror", "mirror", "docbot-mirror")
TEMPLATE = """\
# docbot keeps a documentation mirror of this repository under {docs_dir}/: for every source file a
# <path>_docs.md page and a <path>_kw.md keyword index, for every folder index.md, doc.md and sub.md.
# Every setting below is optional; these are the defaults but docs_dir.
docs_dir: {docs_dir}{why}
include: ["**"]                # gitignore-style patterns of the files to document
exclude: ["third_party/**"]    # never documented (binary, lock, generated and vendored files never are)
mode: auto                     # the App: auto | suggestions | branch | commit | off
summary_comment: true          # the App: one summary comment per pull request
check_run: true                # the App: the `docbot` check run
max_files: 300                 # the App: a larger pull request waits for `/docs regenerate`
max_file_bytes: 1000000        # larger files get a page of metadata only
"""


def run_init(repo_dir: str) -> tuple[str, str]:
    """Write the config; returns its path and the docs_dir chosen."""
    repo = GitRepo(repo_dir)
    files = WorktreeFiles(repo.root)
    if files.read(CONFIG_PATH) is not None:
        raise InputError(f"{CONFIG_PATH} exists already: edit it (docbot never overwrites it)")
    paths, _ = repo.worktree_files()
    docs_dir = next((folder for folder in CANDIDATES if _free(folder, paths, files)), None)
    if docs_dir is None:
        raise InputError(f"every usual mirror folder ({', '.join(CANDIDATES)}) holds hand-written files: "
                         f"write {CONFIG_PATH} with a docs_dir of your choice")
    why = "" if docs_dir == "docs" else "   # docs/ holds hand-written files: the mirror goes beside them"
    target = repo.root / CONFIG_PATH
    os.makedirs(target.parent, exist_ok=True)
    target.write_text(TEMPLATE.format(docs_dir=docs_dir, why=why), encoding="utf-8")
    return CONFIG_PATH, docs_dir


def _free(folder: str, paths: list[str], files: WorktreeFiles) -> bool:
    """No file docbot did not write lives in `folder` (nor is `folder` itself a file)."""
    if os.path.lexists(files.root + "/" + folder) and not os.path.isdir(files.root + "/" + folder):
        return False
    return all(is_docbot_page(files.read_tail(p)) for p in paths if p.startswith(folder + "/"))
