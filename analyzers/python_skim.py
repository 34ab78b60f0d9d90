"""Function bodies blanked out before parsing, for analyses that never look inside them.

The Python analyzer reads module- and class-level statements, each function's header,
decorators and docstring, and nothing else of a function body unless a risky call may hide
there. Most of a module's text is function bodies, and `ast.parse` spends its time on them:
building, then converting to Python objects, nodes the walker never visits.

`skim` replaces a body (after its docstring) with `pass` and blank lines, so every kept line
keeps its number. It works on lines and indentation only, so it can be fooled (a `def` inside
a string, a continuation line written at column 0); `Skim.confirms` then checks the parsed
result: every blanked function must come back as exactly the header, docstring and `pass` it
expects. Anything else and the caller parses the original text.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache

# Why: a literal first character lets the regex engine skip ahead; the line start is checked after.
_DEF = re.compile(r"def[ \t]")
# A colon at the end of a line, before an optional comment: where a `def` header may end.
_HEADER_END = re.compile(r":[ \t]*(?:#[^\n]*)?\n")
_DOCSTRING_START = re.compile(r"([ \t]*)(?:[rRuU]|[rR][bB]|[bB][rR]|[bB])?(\"\"\"|\'\'\'|\"|\')")
_INDENT = re.compile(r"[ \t]*")
_BLANK_LINES = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\n)*")
_TRIPLES = ('"""', "'''")
# How many characters a `def` header may take before the guess is given up.
_MAX_HEADER = 2000
# Bodies of fewer lines are kept: blanking them saves less than it costs.
_MIN_BODY_LINES = 3


@cache
def _dedent_at(width: int, extra: str = "") -> re.Pattern[str]:
    """The start of the next line indented `width` columns or less, blank and comment lines aside."""
    return re.compile(rf"\n(?=[ \t]{{0,{width}}}[^ \t\n#{extra}])")


@dataclass(frozen=True)
class Skim:
    """The skimmed text, and for each blanked function the line of its `def` and of its `pass`."""

    text: str
    blanked: tuple[tuple[int, int], ...]

    def confirms(self, functions: dict[int, ast.FunctionDef | ast.AsyncFunctionDef]) -> bool:
        """True when each blanked function parsed back as header, optional docstring and `pass`.

        `functions` maps the line of every function the walker visited to its node.
        """
        for def_line, pass_line in self.blanked:
            node = functions.get(def_line)
            if node is None or node.end_lineno != pass_line:
                return False
            body = node.body
            last = body[-1]
            if not isinstance(last, ast.Pass) or last.lineno != pass_line or len(body) > 2:
                return False
            if len(body) == 2 and not _is_docstring(body[0]):
                return False
        return True


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def skim(text: str, keep: list[int]) -> Skim | None:
    """The text with function bodies blanked, except bodies that hold an offset of `keep` (sorted).

    None when nothing would be blanked, or the text has line breaks or form feeds that make
    a line-based reading unsafe. One pass over the `def`s, each looked at with a few searches:
    the loop runs some 50,000 times over the standard library.
    """
    if "\r" in text or "\f" in text:
        return None
    pieces: list[str] = []
    blanked: list[tuple[int, int]] = []
    copied = 0  # text before this offset is in `pieces`
    resume = 0  # past the last function looked at: its nested functions are left as they are
    line, counted = 1, 0  # the line number at offset `counted`
    kept = len(keep)
    for match in _DEF.finditer(text):
        keyword = match.start()
        if keyword < resume:
            continue
        start = text.rfind("\n", 0, keyword) + 1
        width = keyword - start  # the indentation, unless `async` is in it
        if width:
            code = text[start:keyword].lstrip(" \t")
            if code:
                if code.rstrip(" \t") != "async":
                    continue  # `def` inside a line: not a definition
                width -= len(code)
        colon = _HEADER_END.search(text, keyword, keyword + _MAX_HEADER)
        if colon is None:
            continue
        body_start = colon.end()
        # Lines of a header after the first are indented deeper, or close its parenthesis.
        if text.find("\n", keyword, body_start - 1) >= 0 and _dedent_at(width, ")").search(
            text, keyword, body_start - 1
        ):
            continue  # a one-line function; the colon found belongs to later code
        end = _dedent_at(width).search(text, body_start - 1)
        body_end = resume = end.start() + 1 if end else len(text)
        if text.count("\n", body_start, body_end) < _MIN_BODY_LINES:
            continue
        index = bisect_left(keep, start)
        if index < kept and keep[index] < body_end:
            continue
        if not _self_contained(text, body_start, body_end):
            continue
        after = _after_docstring(text, body_start, body_end)
        if after is None:
            continue
        pass_start, indent = after
        newlines = text.count("\n", pass_start, body_end)
        if newlines < _MIN_BODY_LINES:
            continue
        line += text.count("\n", counted, pass_start)
        counted = pass_start
        blanked.append((line - text.count("\n", start, pass_start), line))
        pieces += (text[copied:pass_start], indent, "pass", "\n" * newlines)
        copied = body_end
    if not blanked:
        return None
    pieces.append(text[copied:])
    return Skim("".join(pieces), tuple(blanked))


def _after_docstring(text: str, body_start: int, body_end: int) -> tuple[int, str] | None:
    """The offset of the body's first line after its docstring and the body's indentation.

    None when unsure where that line is.
    """
    body_start = _BLANK_LINES.match(text, body_start).end()
    first = _DOCSTRING_START.match(text, body_start)
    if first is None:
        return (body_start, _INDENT.match(text, body_start).group()) if body_start < body_end else None
    quote = first.group(2)
    if quote in _TRIPLES:
        close = text.find(quote, first.end(), body_end)
        if close < 0:
            return None
    else:
        close = first.end()
    line_end = text.find("\n", close, body_end)
    if line_end < 0 or text[line_end - 1] == "\\":
        return None
    return line_end + 1, first.group(1)


def _self_contained(text: str, body_start: int, body_end: int) -> bool:
    """False when the body's last line may continue past it: a backslash or an open triple quote."""
    if text[body_start:body_end].rstrip().endswith("\\"):
        return False
    return all(text.count(quote, body_start, body_end) % 2 == 0 for quote in _TRIPLES)
