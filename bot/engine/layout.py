"""Where mirror pages live: page paths for sources and folders, and the path helpers they use."""

from __future__ import annotations

FOLDER_PAGES = ("index.md", "doc.md", "sub.md")


def folder_of(path: str) -> str:
    """The folder of a repository path; "" for the root."""
    return path.rpartition("/")[0]


def ancestors(folder: str) -> list[str]:
    """`folder` and every folder above it, deepest first, ending with the root ""."""
    chain = [folder]
    while folder:
        folder = folder_of(folder)
        chain.append(folder)
    return chain


def stem_of(path: str) -> str:
    """A file's name without its last extension: `Fill.cpp` -> `Fill`."""
    name = path.rpartition("/")[2]
    dot = name.rfind(".")
    if dot <= 0 or not name[:dot].strip("."):  # ".gitignore", "..." keep their whole name, as splitext does
        return name
    return name[:dot]


class Layout:
    """Mirror page paths for one docs_dir."""

    def __init__(self, docs_dir: str):
        self.docs_dir = docs_dir

    def docs_page(self, path: str) -> str:
        return f"{self.docs_dir}/{path}_docs.md"

    def kw_page(self, path: str) -> str:
        return f"{self.docs_dir}/{path}_kw.md"

    def file_pages(self, path: str) -> tuple[str, str]:
        return self.docs_page(path), self.kw_page(path)

    def folder_page(self, folder: str, name: str) -> str:
        return f"{self.docs_dir}/{folder}/{name}" if folder else f"{self.docs_dir}/{name}"
