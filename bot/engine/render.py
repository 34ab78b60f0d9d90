"""Render a source's two pages: its `_docs.md` and `_kw.md` (analysis in, Markdown out; pure)."""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from collections.abc import Iterable

from analyzers.model import FileAnalysis, Note, Symbol
from bot.engine.markdown import (
    cell,
    code,
    extension,
    inline,
    line_link,
    md_escape,
    plural,
    series,
    to_mirror,
    url,
)
from bot.engine.templates import PageContext, render, to_source


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


_OUTLINE_KINDS = ("heading", "section")


def _outline(symbols: list[Symbol]) -> list[tuple[str, Symbol]]:
    """Heading symbols with their list indentation, from the `#` run of their signature."""
    levels = [len(s.signature) - len(s.signature.lstrip("#")) or 1 for s in symbols]
    top = min(levels, default=1)
    return [("  " * (lvl - top), s) for lvl, s in zip(levels, symbols, strict=True)]


_SCOPE_SEPARATOR = re.compile(r"\.|::")


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
    return render(
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
    return render("file_kw.md.j2", ctx, a=analysis, name=name, folder=folder, source=source, sections=sections,
                   keyword_lists=keyword_lists)


