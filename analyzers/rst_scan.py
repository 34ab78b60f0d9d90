"""Sphinx-flavoured reStructuredText read line by line: directives, roles, labels, API entries.

docutils does not know Sphinx directives and roles (`autosummary`, `:meth:`), so they are
read from the text; reStructuredText files and MyST `{eval-rst}` blocks share this scan.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from analyzers.findings import Findings
from analyzers.stopwords import is_noise_word
from analyzers.textutil import line_list

_DIRECTIVE = re.compile(r"^(\s*)\.\.\s+([A-Za-z][\w:+.-]*)::(?:\s+(.*?))?\s*$")
_TARGET = re.compile(r"^\s*\.\.\s+_([^:`][^:]*|`[^`]+`):(?:\s+(\S.*?))?\s*$")
_ROLE = re.compile(r"(?<![\w`]):((?:[\w+-]+:)*[\w+-]+):`([^`]+)`")
_OPTION = re.compile(r"^\s*:[\w -]+:")
_CODE_TERM = re.compile(r"^[A-Za-z_][\w]*(?:(?:\.|::)[A-Za-z_~][\w]*)*$")
_CODE_ROLES = {
    "func", "meth", "class", "attr", "mod", "data", "exc", "obj", "const", "type", "member",
    "var", "envvar", "macro", "struct", "enum", "option", "program",
}  # fmt: skip
_REF_ROLES = {"ref", "doc", "numref", "term", "download", "any", "label"}
_API_DIRECTIVES = {
    "currentmodule", "module", "function", "class", "method", "attribute", "data", "exception", "decorator",
}  # fmt: skip
_CODE_DIRECTIVES = {"code-block", "code", "sourcecode", "highlight"}
_MAX_CODE_TERM = 80


def code_term(text: str) -> str:
    """`torch.compile()` -> "torch.compile"; "" for prose, shell commands and expressions."""
    term = text.strip().lstrip("~!").removesuffix("()")
    if len(term) > _MAX_CODE_TERM or not _CODE_TERM.match(term) or is_noise_word(term):
        return ""
    return term


def role_target(role: str, content: str) -> str:
    """The target of `:role:`title <target>``, or the content itself."""
    match = re.search(r"<([^<>]+)>\s*$", content)
    return (match.group(1) if match else content).strip()


@dataclass
class RstScan:
    """What one line scan found, with 1-based lines."""

    directives: list[tuple[int, str, str]] = field(default_factory=list)  # line, name, as written
    targets: list[tuple[int, str]] = field(default_factory=list)
    code_terms: set[str] = field(default_factory=set)
    references: set[str] = field(default_factory=set)
    roles: Counter = field(default_factory=Counter)
    languages: set[str] = field(default_factory=set)


def scan_rst(text: str, first_line: int = 1, scan: RstScan | None = None) -> RstScan:
    """Scan reStructuredText whose first line is `first_line` of the file."""
    scan = scan or RstScan()
    body_indent = -1  # indentation of the directive whose body lists API names
    for number, line in enumerate(text.split("\n"), first_line):
        stripped = line.strip()
        if body_indent >= 0 and stripped and len(line) - len(line.lstrip()) <= body_indent:
            body_indent = -1
        if body_indent >= 0 and stripped and not _OPTION.match(line):
            scan.code_terms.add(code_term(stripped))
        if ":`" in line:
            _scan_roles(scan, line)
        if stripped.startswith(".."):
            body_indent = _scan_markup(scan, line, number, body_indent)
    scan.code_terms.discard("")
    return scan


def _scan_markup(scan: RstScan, line: str, number: int, body_indent: int) -> int:
    directive = _DIRECTIVE.match(line)
    if directive:
        indent, name, argument = directive.group(1), directive.group(2), directive.group(3) or ""
        scan.directives.append((number, name, line.strip()))
        short = name.rsplit(":", 1)[-1]
        if short.startswith("auto") or short in _API_DIRECTIVES:
            scan.code_terms.add(code_term(argument.split("(", 1)[0]))
        if name in _CODE_DIRECTIVES and argument:
            scan.languages.add(argument.split()[0].lower())
        return len(indent) if short == "autosummary" else body_indent
    target = _TARGET.match(line)
    if target:
        scan.targets.append((number, target.group(1).strip("`")))
    return body_indent


def _scan_roles(scan: RstScan, line: str) -> None:
    for match in _ROLE.finditer(line):
        role = match.group(1).rsplit(":", 1)[-1]
        if role == "math":
            continue
        scan.roles[match.group(1)] += 1
        target = role_target(role, match.group(2))
        if role in _CODE_ROLES:
            scan.code_terms.add(code_term(target))
        elif role in _REF_ROLES:
            scan.references.add(target)


def record_scan(findings: Findings, scan: RstScan) -> None:
    """Symbols, keywords and patterns of a scan."""
    lines_by_name: dict[str, list[int]] = {}
    for line, name, written in scan.directives:
        findings.symbol("directive", name, line, written)
        lines_by_name.setdefault(name, []).append(line)
    for line, name in scan.targets:
        findings.symbol("target", name, line, f".. _{name}:")
    findings.keyword("Directives", *lines_by_name)
    findings.keyword("Targets", *(name for _, name in scan.targets))
    findings.prose_keyword("Code Terms", *scan.code_terms)
    findings.keyword("References", *scan.references)
    findings.keyword("Code Languages", *scan.languages)
    for name, lines in lines_by_name.items():
        shown = name if name.startswith("{") else f".. {name}::"
        findings.cite("Directives", f"`{shown}` ({line_list(lines)})")
    if scan.roles:
        used = ", ".join(f"`:{role}:` ×{count}" for role, count in sorted(scan.roles.items()))
        findings.pattern(f"Cross-references with Sphinx roles: {used}.")
