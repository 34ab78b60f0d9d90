"""A repository's first settings (pure): where its mirror may go, and the `.github/docbot.yml` that says so."""

from __future__ import annotations

from collections.abc import Callable, Iterable

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


def free_docs_dir(paths: Iterable[str], is_ours: Callable[[str], bool]) -> str | None:
    """The first candidate folder that holds no file docbot did not write (and is no file itself)."""
    paths = list(paths)
    for folder in CANDIDATES:
        if folder in paths:
            continue
        inside = [p for p in paths if p.startswith(folder + "/")]
        if all(is_ours(p) for p in inside):
            return folder
    return None


def config_text(docs_dir: str) -> str:
    why = "" if docs_dir == "docs" else "   # docs/ holds hand-written files: the mirror goes beside them"
    return TEMPLATE.format(docs_dir=docs_dir, why=why)
