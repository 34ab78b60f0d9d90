"""reStructuredText through docutils: title, sections, links, literals; Sphinx markup by line scan."""

from __future__ import annotations

from analyzers.findings import Findings
from analyzers.languages import LanguageSpec
from analyzers.rst_scan import code_term, record_scan, scan_rst
from analyzers.textutil import choose_purpose, first_sentence, normalize_space, rst_inline_to_markdown

# Quiet, self-contained parsing: no messages printed or raised, no files or config read.
_SETTINGS = {
    "report_level": 5,
    "halt_level": 5,
    "exit_status_level": 5,
    "warning_stream": False,
    "file_insertion_enabled": False,
    "raw_enabled": False,
    "_disable_config": True,
    "traceback": True,  # why: without it docutils calls sys.exit() on an internal error
    "syntax_highlight": "none",
    "input_encoding": "unicode",
    "doctitle_xform": True,
    "sectsubtitle_xform": False,
    "embed_stylesheet": False,
}


def analyze(path: str, text: str, spec: LanguageSpec) -> Findings:
    """Title, sections and intro from the doctree; directives, roles and labels from the text."""
    from docutils import nodes
    from docutils.core import publish_doctree

    document = publish_doctree(text, settings_overrides=dict(_SETTINGS))
    findings = Findings()
    if document.get("title"):
        findings.title = normalize_space(document["title"])
        title_node = next(iter(document.findall(nodes.title)), None)
        line = (title_node.line or 1) - 1 if title_node is not None else 1
        summary = _first_paragraph(document, nodes)
        findings.symbol("section", findings.title, max(line, 1), f"# {findings.title}", summary)
        findings.keyword("Headings", findings.title)
    titled = 1 if document.get("title") else 0
    for section in document.findall(nodes.section):
        _section(findings, section, nodes, titled)
    intro = [_paragraph_text(child, nodes) for child in document.children if isinstance(child, nodes.paragraph)]
    findings.purpose = choose_purpose([text for text in intro if text])
    _inline_facts(findings, document, nodes)
    record_scan(findings, scan_rst(text))
    findings.symbols.sort(key=lambda symbol: symbol.line)
    return findings


def _section(findings: Findings, section, nodes, titled: int) -> None:
    """One section, its depth as docutils nests it written as the `#` run of its signature."""
    title = section.next_node(nodes.title)
    if title is None:
        return
    name = normalize_space(title.astext())
    # docutils reports the underline's line; the title text is the line above it.
    line = max((title.line or 2) - 1, 1)
    depth, parent = titled + 1, section.parent
    while parent is not None and isinstance(parent, nodes.section):
        depth, parent = depth + 1, parent.parent
    findings.symbol("section", name, line, f"{'#' * depth} {name}", _first_paragraph(section, nodes))
    findings.keyword("Headings", name)


def _first_paragraph(parent, nodes) -> str:
    for child in parent.children:
        if isinstance(child, nodes.paragraph):
            return first_sentence(_paragraph_text(child, nodes))
        if isinstance(child, nodes.section):
            break
    return ""


def _paragraph_text(paragraph, nodes) -> str:
    """Plain text with ``literals`` and unknown Sphinx roles as Markdown code spans."""
    parts = []
    for child in paragraph.children:
        if isinstance(child, nodes.literal):
            parts.append(f"`{child.astext()}`")
        elif isinstance(child, nodes.system_message):
            continue
        else:
            parts.append(child.astext())
    return rst_inline_to_markdown(normalize_space("".join(parts)))


def _inline_facts(findings: Findings, document, nodes) -> None:
    """External links, ``literal`` code terms, doctest blocks and literal blocks."""
    for reference in document.findall(nodes.reference):
        if reference.get("refuri"):
            findings.keyword("Links", reference["refuri"])
    for literal in document.findall(nodes.literal):
        findings.prose_keyword("Code Terms", code_term(literal.astext()))
    for block in document.findall(nodes.doctest_block):
        findings.note("testing", block.line or 0, "Doctest block (`>>>`): an example Sphinx doctest can run.")
    blocks = sum(1 for _ in document.findall(nodes.literal_block))
    if blocks:
        findings.pattern(f"Shows code in {blocks} literal block{'s' if blocks > 1 else ''}.")
