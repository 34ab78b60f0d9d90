"""Render the mirror pages: analysis and folder objects in, Markdown text out (pure)."""

from __future__ import annotations

import posixpath
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files as resource_files
from urllib.parse import quote

import jinja2

from analyzers.model import FileAnalysis, Note, Symbol


@dataclass(frozen=True)
class PageContext:
    """What a page needs to know beyond its own analysis."""

    project_name: str
    generator: str = "docbot"
    docs_dir: str = "docs"
    related: tuple[str, ...] = ()  # repo paths, same folder and stem, sorted
    tests: tuple[str, ...] = ()  # repo paths of matching test files, sorted


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


# ---- Markdown helpers (registered as Jinja filters) ----

# Line starts that would turn free text into a heading, setext underline, rule, fence or HTML block.
_BLOCK_START = re.compile(r"^(\s{0,3})([#<]|[-=*_](?:[ \t]*[-=*_])*[ \t]*$|```|~~~)")
_WORD_EDGE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_BACKTICKS = re.compile(r"`+")
_LINE_BREAK = re.compile(r"[ \t]*(?:\r\n|\r|\n)[ \t]*")
_MD_SPECIAL = re.compile(r"([\\`*\[\]<>#|])")
_BLANK_RUNS = re.compile(r"\n{3,}")


def code(text: str) -> str:
    """An inline code span whose backtick run is longer than any run inside the text."""
    if "`" not in text and not text.startswith(" "):
        return f"`{text}`"  # the common case, kept cheap: pages carry thousands of these
    ticks = "`" * (max(map(len, _BACKTICKS.findall(text)), default=0) + 1)
    both_spaces = text.startswith(" ") and text.endswith(" ") and text.strip()
    if text.startswith("`") or text.endswith("`") or both_spaces:
        text = f" {text} "  # CommonMark strips exactly one space from each side
    return f"{ticks}{text}{ticks}"


def fence(text: str) -> str:
    """A backtick fence longer than any backtick run in the text (at least three)."""
    if "```" not in text:
        return "```"
    return "`" * max(3, max(map(len, _BACKTICKS.findall(text)), default=0) + 1)


def fenced(text: str, lang: str) -> str:
    """The whole text as one fenced block; the text itself is kept byte for byte."""
    ticks = fence(text)
    body = text if text.endswith("\n") or not text else text + "\n"
    return f"{ticks}{lang}\n{body}{ticks}"


def inline(text: str) -> str:
    """Text flattened to one line, for list items and sentences."""
    text = text.strip()
    if "\n" not in text and "\r" not in text:
        return text
    return _LINE_BREAK.sub(" ", text)


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell (one line, `|` escaped, also inside code spans)."""
    return inline(text).replace("|", "\\|")


def md_escape(text: str) -> str:
    """Plain text with the characters that could start Markdown emphasis, links or code escaped."""
    if not _MD_SPECIAL.search(text) and not _WORD_EDGE_UNDERSCORE.search(text):
        return text
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _WORD_EDGE_UNDERSCORE.sub(r"\\_", text)


def prose(text: str) -> str:
    """Free text as paragraphs that cannot open headings, fences or HTML blocks in the page."""
    lines = [_BLOCK_START.sub(r"\1\\\2", line.rstrip()) for line in text.strip().splitlines()]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines))


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: `Code Patterns & Idioms` -> `code-patterns--idioms`."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


_URL_SAFE = re.compile(r"[A-Za-z0-9_.~/-]*")


def url(path: str) -> str:
    """A link target with spaces and special characters percent-encoded."""
    return path if _URL_SAFE.fullmatch(path) else quote(path, safe="/")


def size(n: int) -> str:
    """`1,682 bytes (1.64 KB)`."""
    return f"{n:,} bytes ({n / 1024:,.2f} KB)"


def plural(n: int, noun: str) -> str:
    """`no classes`, `1 class`, `2 classes`."""
    count = f"{n:,}" if n else "no"
    if n == 1:
        return f"{count} {noun}"
    if noun.endswith(("s", "x", "ch", "sh")):
        return f"{count} {noun}es"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return f"{count} {noun[:-1]}ies"
    return f"{count} {noun}s"


def series(items: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# ---- paths and links ----


def extension(name: str) -> str:
    """`.py` for `linear.py`; "" when the name has none (`Makefile`, `.gitignore`)."""
    return posixpath.splitext(name)[1]


def where(folder: str) -> str:
    """How prose names a folder."""
    return code(folder + "/") if folder else "the repository root"


def to_source(ctx: PageContext, folder: str, path: str) -> str:
    """Link from a mirror page in `folder` back to a repository path."""
    depth = [p for p in f"{ctx.docs_dir}/{folder}".split("/") if p not in ("", ".")]
    return ("../" * len(depth) or "./") + url(path)


def to_mirror(folder: str, target: str) -> str:
    """Link from a mirror page in `folder` to the mirror page `target` (both repo-relative)."""
    here, there = folder.split("/") if folder else [], target.split("/")
    common = 0
    while common < min(len(here), len(there) - 1) and here[common] == there[common]:
        common += 1
    rel = "../" * (len(here) - common) + "/".join(there[common:])
    return url(rel if rel.startswith("../") else "./" + rel)


def _section_for(names: tuple[str, ...], defined: set[str], imports: str, patterns: str) -> str:
    """The _docs.md section that covers these keywords: where the analysis found them.

    `imports` and `patterns` are the analysis's imports and pattern sentences joined by NUL,
    which no name contains: one substring search per name instead of one per name and entry.
    """
    if defined.intersection(names):
        return "Detailed Analysis"
    if any(name in imports for name in names):
        return "Dependencies"
    if any(f"`{name}`" in patterns for name in names):
        return "Code Patterns & Idioms"
    return "Original Source"


@cache
def environment() -> jinja2.Environment:
    """The one Jinja environment all pages render through."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resource_files("docbot_templates"))),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        auto_reload=False,  # why: templates ship with the package; a stat per page is wasted
    )
    for helper in (code, fence, fenced, inline, cell, md_escape, prose, anchor, url, size, plural, series):
        env.filters[helper.__name__] = helper
    env.globals["where"] = where
    env.globals["line_link"] = line_link
    return env


def warm_up() -> None:
    """Compile every template now: worker processes forked afterwards inherit them compiled."""
    env = environment()
    for name in env.list_templates(extensions=["j2"]):
        env.get_template(name)


def _render(template: str, ctx: PageContext, **page: object) -> str:
    text = environment().get_template(template).render(ctx=ctx, **page)
    return text.rstrip("\n") + "\n"


# ---- file pages ----

_OUTLINE_KINDS = ("heading", "section")


def _outline(symbols: list[Symbol]) -> list[tuple[str, Symbol]]:
    """Heading symbols with their list indentation, from the `#` run of their signature."""
    levels = [len(s.signature) - len(s.signature.lstrip("#")) or 1 for s in symbols]
    top = min(levels, default=1)
    return [("  " * (lvl - top), s) for lvl, s in zip(levels, symbols, strict=True)]


_SCOPE_SEPARATOR = re.compile(r"\.|::")


def line_link(line: int, source: str, label: str = "line ") -> str:
    """`[line 12](../../x.py#L12)`, or "whole file" for line 0."""
    return f"[{label}{line}]({source}#L{line})" if line else "whole file"


_NOTE_CATEGORIES = ("performance", "security", "testing")


def _note_lists(notes: Iterable[Note], source: str) -> dict[str, str]:
    """Each category's notes as list items, by line and then message ("" when there are none)."""
    items: dict[str, list[str]] = {category: [] for category in _NOTE_CATEGORIES}
    for note in sorted(notes, key=lambda n: (n.line, n.message)):
        if note.category in items:
            items[note.category].append(f"- **{line_link(note.line, source)}**: {inline(note.message)}")
    return {category: "\n".join(lines) for category, lines in items.items()}


def _scope_list(symbols: tuple[Symbol, ...], source: str) -> str:
    """The Scopes list items: each namespace, class or struct, its signature and what it encloses."""
    lines = []
    for s, members in _scopes(symbols):
        signature = f": {code(inline(s.signature))}" if s.signature else ""
        enclosing = f", enclosing {series(members)}" if members else ""
        lines.append(f"  - {s.kind} {code(s.name)} ({line_link(s.line, source)}){signature}{enclosing}")
    return "\n".join(lines)


def _scopes(symbols: tuple[Symbol, ...]) -> list[tuple[Symbol, list[str]]]:
    """Namespaces, classes and structs with what they enclose (at any depth), counted by kind."""
    scopes = [s for s in symbols if s.kind in ("namespace", "class", "struct")]
    if not scopes:
        return []
    inner: dict[str, Counter[str]] = {s.name: Counter() for s in scopes}
    for symbol in symbols:
        name = symbol.name
        for prefix in _enclosing_names(name) if "." in name or ":" in name else ():
            if (enclosing := inner.get(prefix)) is not None:
                enclosing[symbol.kind] += 1
    return [(s, [plural(n, kind) for kind, n in sorted(inner[s.name].items())]) for s in scopes]


def _enclosing_names(name: str) -> list[str]:
    """Every scope prefix of a qualified name: `a::b::f` -> `a`, `a::b`; `C.m` -> `C`."""
    if ":" in name:
        return [name[: cut.start()] for cut in _SCOPE_SEPARATOR.finditer(name)]
    prefixes, cut = [], name.find(".")
    while cut >= 0:  # why not the regex: a module's methods are thousands of `Class.method` names
        prefixes.append(name[:cut])
        cut = name.find(".", cut + 1)
    return prefixes


def _local_name(name: str) -> str:
    """The last part of a qualified name: `at::native::fill_` -> `fill_`, `Linear.forward` -> `forward`."""
    return _SCOPE_SEPARATOR.split(name)[-1] if ":" in name else name.rpartition(".")[2]


_CELL_SPECIAL = re.compile(r"[|`\r\n]")


def _plain_cells(name: str, signature: str, doc: str) -> bool:
    """True when `cell` and `code` would leave the three texts as they are (the common case, checked cheaply)."""
    if _CELL_SPECIAL.search(f"{name}\0{signature}\0{doc}"):
        return False
    return name == name.strip() and signature == signature.strip() and doc == doc.strip()


def _definitions_table(definitions: list[Symbol], source: str) -> str:
    """The rows of the definitions table, built in Python: a module can define thousands of names."""
    rows = []
    for s in definitions:
        name, sig, doc = s.name, s.signature, s.doc
        if _plain_cells(name, sig, doc):
            name, sig = f"`{name}`", f"`{sig}`" if sig else ""
        else:
            name, sig, doc = cell(code(name)), cell(code(inline(sig))) if sig else "", cell(doc)
        rows.append(f"| {line_link(s.line, source, label='')} | {cell(s.kind)} | {name} | {sig} | {doc} |")
    return "\n".join(rows)


def render_file_docs(analysis: FileAnalysis, text: str | None, ctx: PageContext) -> str:
    """The `<file>_docs.md` page."""
    a, folder = analysis, posixpath.dirname(analysis.path)
    name = posixpath.basename(a.path)
    kinds = Counter(s.kind for s in a.symbols)
    source = to_source(ctx, folder, a.path)
    definitions = [s for s in a.symbols if s.kind not in _OUTLINE_KINDS]
    return _render(
        "file_docs.md.j2",
        ctx,
        a=a,
        name=name,
        folder=folder,
        ext=extension(name),
        text=None if a.binary else text,
        kind_counts=[plural(n, kind) for kind, n in sorted(kinds.items())],
        outline=_outline([s for s in a.symbols if s.kind in _OUTLINE_KINDS]),
        definitions=definitions,
        definitions_table=_definitions_table(definitions, source),
        scopes=_scope_list(a.symbols, source),
        notes=_note_lists(a.notes, source),
        source=source,
        related=[(p, to_mirror(folder, p + "_docs.md")) for p in sorted(ctx.related)],
        tests=[(p, to_mirror(folder, p + "_docs.md")) for p in sorted(ctx.tests)],
    )


def render_file_keywords(analysis: FileAnalysis, ctx: PageContext) -> str:
    """The `<file>_kw.md` page."""
    folder, name = posixpath.dirname(analysis.path), posixpath.basename(analysis.path)
    defined = {s.name for s in analysis.symbols} | {_local_name(s.name) for s in analysis.symbols}
    imports, patterns = "\0".join(analysis.imports), "\0".join(analysis.patterns)
    sections = [(g, _section_for(g.names, defined, imports, patterns)) for g in analysis.keywords]
    source = to_source(ctx, folder, analysis.path)
    entry = f": [{md_escape(name + '_docs.md')}](./{url(name + '_docs.md')})"
    keyword_lists = ["\n".join(f"- **{code(k)}**{entry}" for k in g.names) or "*None.*" for g in analysis.keywords]
    return _render("file_kw.md.j2", ctx, a=analysis, name=name, folder=folder, source=source, sections=sections,
                   keyword_lists=keyword_lists)


# ---- folder pages ----

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
    return _render(
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
    return _render("subtree.md.j2", ctx, path=folder_path, count=count, keywords=keywords)


def _subtree_keywords(folder_path: str, paths: set[str]) -> str:
    """The Keywords section's groups, joined in Python: the root's sub.md lists every file twice."""
    prefix = len(folder_path) + 1 if folder_path else 0
    links = {p: subtree_entry(p, prefix) for p in paths}
    blocks = [
        f"### {md_escape(heading)}\n\n" + "\n".join(links[p] for p in members)
        for heading, members in subtree_groups(folder_path, paths)
    ]
    return "\n\n".join(blocks) if blocks else "*No documented files.*"
