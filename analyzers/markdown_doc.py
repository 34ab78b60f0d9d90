"""Markdown (CommonMark with MyST extensions) through markdown-it-py."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from analyzers.findings import Findings
from analyzers.languages import LanguageSpec
from analyzers.rst_scan import RstScan, code_term, record_scan, role_target, scan_rst
from analyzers.textutil import choose_purpose, first_sentence, line_list, normalize_space

_PARSER = None
_MYST_ROLE = re.compile(r"\{([\w:-]+)\}$")
_MYST_DIRECTIVE = re.compile(r"^\{([\w:-]+)\}\s*(.*)$")
# `## Test Fixtures {#same-data}`, `## Setup {: .note}`: attributes (kramdown, mkdocs attr_list), no title words.
_HEADING_ATTRIBUTES = re.compile(r"\s*\{[:#.][^{}]*\}\s*$")
_SHELL_FENCES = {"bash", "sh", "shell", "console", "zsh"}
_PIPE_TO_SHELL = re.compile(r"\|\s*(?:sudo\s+)?(?:ba|z)?sh\b")


def markdown_parser():
    """The CommonMark parser with tables, created once."""
    global _PARSER
    if _PARSER is None:
        from markdown_it import MarkdownIt

        _PARSER = MarkdownIt("commonmark").enable("table")
    return _PARSER


def analyze(path: str, text: str, spec: LanguageSpec) -> Findings:
    """Title, headings, code spans, links, fences and MyST directives of one Markdown file."""
    reader = _Reader()
    tokens = markdown_parser().parse(text)
    for index, token in enumerate(tokens):
        reader.read(token, tokens[index + 1] if index + 1 < len(tokens) else None)
    return reader.finish()


class _Reader:
    """Reads the token stream once, keeping the state of the current section."""

    def __init__(self) -> None:
        self.findings = Findings()
        self.scan = RstScan()
        self.intro: list[str] = []  # paragraphs before the first heading that follows the title
        self.headings = 0
        self.section_docs: dict[int, str] = {}  # symbol index -> first sentence of its section
        self.fences: Counter = Counter()
        self.myst: dict[str, list[int]] = {}
        self.myst_roles: Counter = Counter()
        self.heading_inline = None  # the inline token already read as a heading title
        self.at_top = True  # nothing but HTML blocks so far: a first H1 here is the document's title

    def read(self, token, following) -> None:
        """Dispatch one block-level token; `following` is the inline token of a heading."""
        if token is self.heading_inline:
            return
        if token.type == "heading_open" and following is not None:
            self.heading(token, following)
            self.at_top = False
        elif token.type == "fence":
            self.at_top = False
            self.fence(token)
        elif token.type == "code_block":
            self.at_top = False
            self.fences["indented"] += 1
        elif token.type == "inline":
            self.at_top = False
            text = self.inline(token)
            if token.level <= 1 and text:  # a top-level paragraph, not a list item or quote
                self.paragraph(text)

    def heading(self, token, inline) -> None:
        self.heading_inline = inline
        title = _HEADING_ATTRIBUTES.sub("", self.inline(inline, ticks=False))
        line = token.map[0] + 1 if token.map else 0
        level = int(token.tag[1:]) if token.tag[1:].isdigit() else 1
        if level == 1 and not self.findings.title and self.at_top:
            self.findings.title = title
        else:
            self.headings += 1
        self.findings.symbol("heading", title, line, f"{'#' * level} {title}")
        self.findings.keyword("Headings", title)

    def paragraph(self, text: str) -> None:
        if not self.headings:
            self.intro.append(text)
        last = len(self.findings.symbols) - 1
        if last >= 0 and self.findings.symbols[last].kind == "heading" and last not in self.section_docs:
            self.section_docs[last] = first_sentence(text)

    def fence(self, token) -> None:
        info = token.info.strip()
        line = token.map[0] + 1 if token.map else 0
        directive = _MYST_DIRECTIVE.match(info)
        if directive:
            name = directive.group(1)
            self.myst.setdefault(name, []).append(line)
            self.scan.directives.append((line, "{" + name + "}", f"{token.markup}{info}"))
            if name == "eval-rst":
                scan_rst(token.content, line + 1, self.scan)
            return
        language = info.split()[0].lower() if info else ""
        self.fences[f"`{language}`" if language else "unlabelled"] += 1
        if language:
            self.findings.keyword("Code Languages", language)
        if language in _SHELL_FENCES and _PIPE_TO_SHELL.search(token.content):
            self.findings.note("security", line, "A shell example pipes downloaded text into a shell (`| sh`).")

    def inline(self, token, ticks: bool = True) -> str:
        """Plain text of an inline token; records code spans, roles and links on the way."""
        parts: list[str] = []
        for child in token.children or []:
            if child.type == "code_inline":
                role = _MYST_ROLE.search(parts[-1]) if parts else None
                if role:
                    parts[-1] = parts[-1][: role.start()]
                    self.role(role.group(1), child.content)
                else:
                    self.findings.prose_keyword("Code Terms", code_term(child.content))
                parts.append(f"`{child.content}`" if ticks else child.content)
            elif child.type in ("text", "html_inline"):
                parts.append(child.content if child.type == "text" else "")
            elif child.type in ("softbreak", "hardbreak"):
                parts.append(" ")
            elif child.type in ("link_open", "image"):
                self.link(child)
        return normalize_space("".join(parts))

    def role(self, role: str, content: str) -> None:
        self.myst_roles[role] += 1
        target = role_target(role, content)
        if role.rsplit(":", 1)[-1] in ("ref", "doc", "numref", "term", "download"):
            self.scan.references.add(target)
        else:
            self.scan.code_terms.add(code_term(target))

    def link(self, child) -> None:
        target = child.attrGet("src" if child.type == "image" else "href") or ""
        if target and not target.startswith("#"):
            self.findings.keyword("Images" if child.type == "image" else "Links", str(target))

    def finish(self) -> Findings:
        """Section summaries, the MyST/RST scan, source order, purpose and fence patterns."""
        findings = self.findings
        for index, doc in self.section_docs.items():
            findings.symbols[index] = replace(findings.symbols[index], doc=doc)
        self.scan.code_terms.discard("")
        record_scan(findings, self.scan)
        findings.symbols.sort(key=lambda symbol: symbol.line)
        findings.purpose = choose_purpose(self.intro)
        self.fence_patterns()
        return findings

    def fence_patterns(self) -> None:
        if "eval-rst" in self.myst:
            lines = line_list(self.myst["eval-rst"])
            self.findings.pattern(f"Embeds reStructuredText for Sphinx in MyST `{{eval-rst}}` fences ({lines}).")
        if self.myst_roles:
            used = ", ".join(f"`{{{role}}}` ×{count}" for role, count in sorted(self.myst_roles.items()))
            self.findings.pattern(f"Cross-references with MyST roles: {used}.")
        if self.fences:
            counts = ", ".join(f"{count} {language}" for language, count in sorted(self.fences.items()))
            self.findings.pattern(f"Code examples in fenced blocks: {counts}.")
