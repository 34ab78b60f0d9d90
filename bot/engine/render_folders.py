"""Render a folder's three pages: `index.md`, `doc.md` and `sub.md` (pure)."""

from __future__ import annotations

import posixpath
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from bot.engine.markdown import code, extension, md_escape, to_mirror, url, where
from bot.engine.templates import PageContext, render, to_source


@dataclass(frozen=True)
class FileEntry:
    """One row of a folder index."""

    name: str
    description: str


@dataclass(frozen=True)
class FolderState:
    """What a folder's pages list: its files and its documented subfolders."""

    path: str  # "" for the repository root
    files: tuple[FileEntry, ...]
    subfolders: tuple[str, ...]


_ENTRY_POINTS = {
    "__init__.py": "package initializer",
    "__main__.py": "command-line entry point",
    "build": "Buck/Bazel build file",
    "build.bazel": "Bazel build file",
    "cmakelists.txt": "CMake build definition",
    "makefile": "Make build file",
    "pyproject.toml": "Python project configuration",
    "setup.py": "package setup script",
}


def _role(name: str) -> str:
    """Why a file is a natural starting point of its folder, or ""."""
    if posixpath.splitext(name)[0].lower() == "readme":
        return "the folder's readme"
    return _ENTRY_POINTS.get(name.lower(), "")


def _blurb(folder: FolderState) -> FileEntry | None:
    """The entry whose description speaks for the folder: its readme, else its `__init__.py`."""
    for wanted in ("the folder's readme", "package initializer"):
        for entry in sorted(folder.files, key=lambda f: f.name):
            # A docstring-less __init__.py is described by its type label ("Python Source Code"): no blurb.
            if _role(entry.name) == wanted and not (wanted == "package initializer" and entry.description.istitle()):
                return entry
    return None


def _folder_page(template: str, folder: FolderState, ctx: PageContext) -> str:
    path = folder.path
    files = sorted(folder.files, key=lambda f: f.name)
    exts = Counter(extension(f.name) for f in files)
    return render(
        template,
        ctx,
        path=path,
        files=files,
        subfolders=sorted(folder.subfolders),
        blurb=_blurb(folder),
        ext_counts=sorted(exts.items()),
        key_files=[(f, _role(f.name)) for f in files if _role(f.name)],
        source_folder=to_source(ctx, path, path + "/" if path else ""),
        parent=None if not path else (where(posixpath.dirname(path)), "../index.md"),
        root_index=to_mirror(path, "index.md"),
        link=lambda f, suffix: "./" + url(f.name + suffix),
        src=lambda f: to_source(ctx, path, posixpath.join(path, f.name)),
    )


def render_folder_index(folder: FolderState, ctx: PageContext) -> str:
    """The folder's `index.md`."""
    return _folder_page("folder_index.md.j2", folder, ctx)


def render_folder_doc(folder: FolderState, ctx: PageContext) -> str:
    """The folder's `doc.md`."""
    return _folder_page("folder_doc.md.j2", folder, ctx)


def subtree_groups(folder_path: str, paths: Iterable[str]) -> list[tuple[str, list[str]]]:
    """sub.md's groups: one per name stem and one `files-<ext>` per extension, all sorted."""
    prefix = folder_path + "/" if folder_path else ""
    groups: dict[str, set[str]] = defaultdict(set)
    for path in paths:
        if not path.startswith(prefix) or path == prefix:
            raise ValueError(f"{path!r} is not under {folder_path!r}")
        for heading in subtree_headings(path):
            groups[heading].add(path)
    return [(heading, sorted(members)) for heading, members in sorted(groups.items())]


def subtree_headings(path: str) -> tuple[str, str]:
    """The two sub.md groups a file is listed under: its name stem, and `files-<ext>`."""
    stem, ext = _split_name(path)
    return stem, f"files-{ext}" if ext else "files-(no extension)"


def subtree_entry(path: str, prefix_len: int) -> str:
    """One sub.md line: the file, linked to its docs page relative to the folder (prefix_len chars cut)."""
    return f"- [{code(path)}](./{url(path[prefix_len:])}_docs.md)"


def _split_name(path: str) -> tuple[str, str]:
    """posixpath.splitext of the base name, inlined: the root's sub.md splits every file name."""
    name = path.rpartition("/")[2]
    dot = name.rfind(".")
    if dot <= 0 or name[:dot].strip(".") == "":
        return name, ""
    return name[:dot], name[dot:]


def render_subtree(folder_path: str, files: Iterable[str], ctx: PageContext) -> str:
    """The folder's `sub.md`: every documented file below it, grouped by stem and extension."""
    paths = set(files)
    return subtree_frame(folder_path, len(paths), _subtree_keywords(folder_path, paths), ctx)


def subtree_frame(folder_path: str, count: int, keywords: str, ctx: PageContext) -> str:
    """The `sub.md` page around an already rendered Keywords section."""
    return render("subtree.md.j2", ctx, path=folder_path, count=count, keywords=keywords)


def _subtree_keywords(folder_path: str, paths: set[str]) -> str:
    """The Keywords section's groups, joined in Python: the root's sub.md lists every file twice."""
    prefix = len(folder_path) + 1 if folder_path else 0
    links = {p: subtree_entry(p, prefix) for p in paths}
    blocks = [
        f"### {md_escape(heading)}\n\n" + "\n".join(links[p] for p in members)
        for heading, members in subtree_groups(folder_path, paths)
    ]
    return "\n\n".join(blocks) if blocks else "*No documented files.*"
