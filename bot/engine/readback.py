"""Read docbot's own rendered pages back: keyword groups, folder listings, subtree file sets."""

from __future__ import annotations

import re
from urllib.parse import unquote

from bot.engine.markdown import code
from bot.engine.render_folders import FileEntry, FolderState

_KEYWORD = re.compile(r"- \*\*(`+)(.*)\1\*\*: \[.*\]\([^()\s]*\)")
_SUBFOLDER = re.compile(r"- \[.*\]\(\./([^()\s]+)/index\.md\)")
_DOCS_CELL = re.compile(r"\[docs\]\(\./([^()\s/]+)_docs\.md\)")
_SUBTREE_ENTRIES = re.compile(r"^- \[.*\]\(([^()\s]+)_docs\.md\)$", re.M)
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_TABLE_HEADER = "| File | Description | Documentation | Keywords |"


def _sections(md: str) -> tuple[str, dict[str, list[str]]] | None:
    """The title line and the lines under each `## ` heading; None without a title."""
    lines = md.replace("\r\n", "\n").split("\n")
    if not lines[0].startswith("# "):
        return None
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines[1:]:
        if line.startswith("## "):
            current = sections.setdefault(line[3:].strip(), [])
        elif current is not None:
            current.append(line)
    return lines[0], sections


def _code_content(span: str) -> str:
    """The text of a code span's inside, undoing the one-space padding CommonMark strips."""
    if span.startswith(" ") and span.endswith(" ") and span.strip():
        return span[1:-1]
    return span


def unescape(text: str) -> str:
    """Undo md_escape."""
    return re.sub(r"\\([\\`*\[\]<>#|_])", r"\1", text)


def parse_keywords(md: str) -> dict[str, tuple[str, ...]] | None:
    """Keyword kind -> names from a `_kw.md` page (ours or the reference system's)."""
    parsed = _sections(md)
    if parsed is None or not parsed[0].startswith("# Keyword Index: "):
        return None
    lines = parsed[1].get("Keywords Extracted")
    if lines is None:
        return None
    groups: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines:
        if line.startswith("### "):
            current = groups.setdefault(unescape(line[4:].strip()), [])
        elif current is not None and (m := _KEYWORD.fullmatch(line)):
            current.append(_code_content(m.group(2)))
    return {kind: tuple(names) for kind, names in groups.items()}


def _file_row(line: str) -> FileEntry | None:
    """One row of the Files table; the name comes from the percent-encoded docs link."""
    cells = _UNESCAPED_PIPE.split(line)
    if len(cells) != 6 or cells[0] or cells[5]:
        return None
    docs = _DOCS_CELL.fullmatch(cells[3].strip())
    if docs is None:
        return None
    return FileEntry(unquote(docs.group(1)), cells[2][1:-1].replace("\\|", "|"))


def _files(lines: list[str]) -> tuple[FileEntry, ...] | None:
    rows = [line for line in lines if line.startswith("|")]
    if not rows:
        return () if "*No documented files.*" in lines else None
    if rows[0] != _TABLE_HEADER:
        return None
    entries = [_file_row(row) for row in rows[2:]]
    return None if None in entries else tuple(e for e in entries if e)


def _title_names(title: str, prefix: str, folder_path: str) -> bool:
    """Whether a title is `prefix` + the folder as code (any title is fine for the root)."""
    if not folder_path:
        return title.startswith("# ")
    return title == f"# {prefix}{code(folder_path + '/')}"


def parse_folder_index(md: str, folder_path: str) -> FolderState | None:
    """The folder state an `index.md` lists."""
    parsed = _sections(md)
    if parsed is None or not _title_names(parsed[0], "Index: ", folder_path):
        return None
    sections = parsed[1]
    if "Subfolders" not in sections or "Files" not in sections:
        return None
    files = _files(sections["Files"])
    if files is None:
        return None
    subfolders = tuple(unquote(m.group(1)) for line in sections["Subfolders"] if (m := _SUBFOLDER.fullmatch(line)))
    return FolderState(folder_path, files, subfolders)


def parse_subtree(md: str, folder_path: str) -> frozenset[str] | None:
    """The repository paths a `sub.md` lists."""
    # Sliced, not split into sections: the root's sub.md lists every file of the repository twice.
    md = md.replace("\r\n", "\n")
    title = md.partition("\n")[0]
    heading = "Subtree Keyword Index: "
    if not title.startswith("# " + heading) or not _title_names(title, heading, folder_path):
        return None
    start = md.find("\n## Keywords\n")
    if start < 0:
        return None
    end = md.find("\n## ", start + 1)
    prefix = folder_path + "/" if folder_path else ""
    targets = set(_SUBTREE_ENTRIES.findall(md, start, len(md) if end < 0 else end))
    found = set()
    for target in targets:
        relative = (unquote(target) if "%" in target else target).removeprefix("./")
        if relative.startswith("../"):
            return None
        found.add(prefix + relative)
    return frozenset(found)
