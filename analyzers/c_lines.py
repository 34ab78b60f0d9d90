"""The cheap line pass of the C family: `#include`s and `#define`s, whatever the parse made of the rest."""

from __future__ import annotations

import re

from analyzers.findings import Findings
from analyzers.textutil import LineIndex

# Why the line break in front of the line patterns (the text is given one): a literal first
# character is found by a fast scan, where `^` with re.M is tried at every position.
_DIRECTIVE = re.compile(r"\n[ \t]*#[ \t]*(\w+)[ \t]*((?:[^\n]*\\\r?\n)*[^\n]*)")
_INCLUDE = re.compile(r"""^([<"])([^>"\n]+)[>"]""")
_DEFINE = re.compile(r"^([A-Za-z_]\w*)(\([^)]*\))?(.*)", re.S)
NEVER = frozenset({"0", "false"})  # `#if` conditions that switch code off
_CONDITIONALS = frozenset({"if", "ifdef", "ifndef", "elif", "else", "endif"})
_LINE_COMMENT = re.compile(r"/\*.*?\*/|//.*", re.S)
_GUARD_NAME = re.compile(r"_H(?:PP|XX)?_*$|_INCLUDED_*$")
# `FMT_BEGIN_NAMESPACE`, `_GLIBCXX_END_NAMESPACE_VERSION`, `__BEGIN_DECLS` alone on their line.
_SCOPE_MACRO = re.compile(r"\n[ \t]*([A-Z_][A-Z0-9_]*(?:NAMESPACE|DECLS)[A-Z0-9_]*)[ \t]*(?://[^\n]*)?(?=\n|$)")


def scan_directives(findings: Findings, text: str, lines: LineIndex) -> None:
    """Every include and macro definition with its line (none of code switched off by `#if 0`); an include
    guard is a pattern, not a macro."""
    if "#" not in text:
        return
    guarded = False
    first = True  # no directive but `#pragma` and `#ifndef` so far: the next define may be the guard
    previous: tuple[str, str] = ("", "")
    never: list[bool] = []  # for each open `#if`: True while in a branch that is never compiled
    for match in _DIRECTIVE.finditer("\n" + text):  # match.start(): the offset of its line in `text`
        directive, rest = match.group(1), match.group(2)
        if directive in _CONDITIONALS:
            _follow_conditional(never, directive, rest)
        elif True in never:
            continue
        if directive in ("include", "include_next", "import"):
            included = _INCLUDE.match(rest)
            if included:
                findings.imports.add(included.group(2).strip())
                findings.keyword("Includes", included.group(2).strip())
        elif directive == "define":
            line = lines.line(match.start())
            guarded = _define(findings, rest, line, previous, first and not guarded) or guarded
        if directive not in ("pragma", "define"):
            first = first and directive == "ifndef"
        previous = (directive, rest.split(None, 1)[0] if rest.strip() else "")


def _follow_conditional(never: list[bool], directive: str, rest: str) -> None:
    """Track `#if 0` / `#elif 0` branches (and `false`): what they guard is never compiled."""
    condition = _LINE_COMMENT.sub("", rest).strip()
    if directive in ("if", "ifdef", "ifndef"):
        never.append(directive == "if" and condition in NEVER)
    elif never and directive in ("elif", "else"):
        never[-1] = directive == "elif" and condition in NEVER
    elif never and directive == "endif":
        never.pop()


def scan_scope_macros(findings: Findings, text: str, lines: LineIndex) -> None:
    """Namespace begin/end macros: their expansion is unknown here, so names inside are not qualified by them."""
    if "NAMESPACE" not in text and "DECLS" not in text:
        return
    label = "Opens and closes scopes with macros (names inside are not qualified by them)"
    for match in _SCOPE_MACRO.finditer("\n" + text):  # match.start(): the offset of its line in `text`
        if "BEGIN" in match.group(1) or "END" in match.group(1):
            findings.cite(label, f"`{match.group(1)}` (line {lines.line(match.start())})")


def _define(findings: Findings, rest: str, line: int, previous: tuple[str, str], may_guard: bool) -> bool:
    """Record one `#define`; True when it is the include guard."""
    match = _DEFINE.match(rest)
    if match is None:
        return False
    name, params, value = match.group(1), match.group(2), match.group(3).strip()
    guarded = previous == ("ifndef", name) and params is None and value in ("", "1")
    if guarded and (may_guard or _GUARD_NAME.search(name)):
        findings.pattern(f"Include guard `{name}` (line {line}).")
        return True
    findings.symbol("macro", name, line, f"#define {name}" + (params or ""))
    findings.keyword("Macros", name)
    return False
