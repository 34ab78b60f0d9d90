"""Function bodies and data tables blanked out before parsing, for analyses that never look inside them.

The Python analyzer reads module- and class-level statements, each function's header,
decorators and docstring, and nothing else of a function body unless a risky call may hide
there; of a module-level assignment it reads the value only for `__all__` and constants.
Most of a module's text is function bodies (and, in codecs or test data, tables), and
`ast.parse` spends its time on them: building, then converting to Python objects, nodes the
walker never visits.

`skim` replaces a body (after its docstring) with `pass`, and a data assignment with
`name = ...`, padded with blank lines so that every kept line keeps its number. It works on
lines and indentation only, so it can be fooled (a `def` inside a string, a continuation line
written at column 0); `Skim.unconfirmed` then checks the parsed result: everything blanked must
come back exactly as the skim wrote it. What did not is spared in a second skim, and if that
fails too the caller parses the original text.

What the skim cannot see is a syntax error inside blanked text: the page documents the
structure that parsed, and the compiler, not the docs, reports the error."""

from __future__ import annotations

import ast
import re
from bisect import bisect_left
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache

from analyzers.python_signals import nodes_starting_on

# Why: a literal first character lets the regex engine skip ahead; the line start is checked after.
_DEF = re.compile(r"def[ \t]")
# A colon at the end of a line, before an optional comment: where a `def` header may end.
_HEADER_END = re.compile(r":[ \t]*(?:#[^\n]*)?\n")
_DOCSTRING_START = re.compile(r"([ \t]*)(?:[rRuU]|[rR][bB]|[bB][rR]|[bB])?(\"\"\"|\'\'\'|\"|\')")
_INDENT = re.compile(r"[ \t]*")
_BLANK_LINES = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\n)*")
_TRIPLES = ('"""', "'''")
# The names whose module-level values the analysis reads: __all__ and these (`MAX_SIZE`, `_T`).
CONSTANT_NAME = re.compile(r"^_*[A-Z][A-Z0-9_]*[A-Z0-9]$")
# The first line of a data assignment at column 0: `name = (`, `table = dict(`, `x = {  # ...`.
# Why the leading newline: a literal first character lets the regex engine skip ahead.
_DATA_HEAD = re.compile(r"\n([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*[\w.]*[(\[{]+[ \t]*(?:#[^\n]*)?\n")
# The next line at column 0 that is code and does not close a bracket: the next statement.
_DATA_END = re.compile(r"\n(?=[^ \t\n#)\]}])")
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
    """The skimmed text and what was blanked in it.

    `functions`: the line of each blanked function's `def` and of its `pass`.
    `assignments`: the line and target of each module-level data assignment cut to `name = ...`.
    """

    text: str
    functions: tuple[tuple[int, int], ...]
    assignments: tuple[tuple[int, str], ...] = ()

    def unconfirmed(self, functions: dict[int, ast.FunctionDef | ast.AsyncFunctionDef], module: ast.Module) -> set[int]:
        """The lines of what was blanked but did not parse back exactly as the skim wrote it.

        `functions` maps the line of every function the walker visited to its node; `module`
        is the parsed skimmed text. Empty when the skim is confirmed.
        """
        unvisited = [line for line, _ in self.functions if line not in functions]
        if unvisited:  # nested in a function body the skim kept, or not a function at all (in a string)
            found = nodes_starting_on(module, sorted(unvisited), (ast.FunctionDef, ast.AsyncFunctionDef))
            functions = {**functions, **{node.lineno: node for node in found}}
        wrong = {line for line, pass_line in self.functions if not _is_blanked(functions.get(line), pass_line)}
        if self.assignments:
            statements = {statement.lineno: statement for statement in module.body}
            for line, name in self.assignments:
                if not _is_placeholder(statements.get(line), line, name):
                    wrong.add(line)
        return wrong


def _is_blanked(node: ast.FunctionDef | ast.AsyncFunctionDef | None, pass_line: int) -> bool:
    """True for a function whose body is an optional docstring and the `pass` on `pass_line`."""
    if node is None or node.end_lineno != pass_line:
        return False
    body = node.body
    last = body[-1]
    if not isinstance(last, ast.Pass) or last.lineno != pass_line or len(body) > 2:
        return False
    return len(body) == 1 or _is_docstring(body[0])


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _is_placeholder(node: ast.stmt | None, line: int, name: str) -> bool:
    """True for `name = ...` alone on `line`."""
    if not isinstance(node, ast.Assign) or node.end_lineno != line or len(node.targets) != 1:
        return False
    target, value = node.targets[0], node.value
    return isinstance(target, ast.Name) and target.id == name and isinstance(value, ast.Constant) and value.value is ...


# One replacement: offsets [start, end) of the text, what replaces them, and what it blanked:
# for a function the offset of its `def` line, for a data assignment its target name.
_Edit = tuple[int, int, str, int | str]


def skim(text: str, keep: list[int], spare: Collection[int] = ()) -> Skim | None:
    """The text with function bodies and module-level data blanked, except where `keep` (sorted offsets) falls.

    `spare`: lines of `def`s and assignments to leave whole (what an earlier skim got wrong).
    None when nothing would be blanked, or the text has line breaks or form feeds that make
    a line-based reading unsafe.
    """
    if "\r" in text or "\f" in text:
        return None
    edits = sorted([*_function_edits(text, keep), *_data_edits(text, keep)])
    pieces: list[str] = []
    functions: list[tuple[int, int]] = []
    assignments: list[tuple[int, str]] = []
    copied = 0  # text before this offset is in `pieces`
    line, counted = 1, 0  # the line number at offset `counted`
    for start, end, replacement, what in edits:
        if start < copied:
            continue  # overlaps the previous edit (text the line-based reading got wrong)
        line += text.count("\n", counted, start)
        counted = start
        if isinstance(what, int):
            def_line = line - text.count("\n", what, start)
            if def_line in spare:
                continue
            functions.append((def_line, line))
        elif line in spare:
            continue
        else:
            assignments.append((line, what))
        pieces += (text[copied:start], replacement)
        copied = end
    if not functions and not assignments:
        return None
    pieces.append(text[copied:])
    return Skim("".join(pieces), tuple(functions), tuple(assignments))


def _function_edits(text: str, keep: list[int]) -> list[_Edit]:
    """Each function body after its docstring, to become `pass` and blank lines.

    One pass over the `def`s, each looked at with a few searches: the loop runs some 50,000
    times over the standard library. A `def` after an odd number of triple quotes is taken to
    be inside a string (an example in a docstring) and left alone; a quote the count misreads
    (one inside a comment) only leaves more text to parse.
    """
    edits: list[_Edit] = []
    resume = 0  # past the last function looked at: its nested functions are left as they are
    quoted, open_quotes = 0, 0  # triple quotes counted up to offset `quoted`: odd ones in `open_quotes`
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
        open_quotes ^= _odd_triple_quotes(text, quoted, keyword)
        quoted = keyword
        if open_quotes:
            continue
        colon = _HEADER_END.search(text, keyword, keyword + _MAX_HEADER)
        if colon is None:
            continue
        body_start = colon.end()
        # Lines of a header after the first are indented deeper, or close a bracket.
        if text.find("\n", keyword, body_start - 1) >= 0 and _dedent_at(width, ")\\]}").search(
            text, keyword, body_start - 1
        ):
            continue  # a one-line function; the colon found belongs to later code
        end = _dedent_at(width).search(text, body_start - 1)
        body_end = resume = end.start() + 1 if end else len(text)
        lines = text.count("\n", body_start, body_end)
        if lines < _MIN_BODY_LINES or _holds(keep, start, body_end):
            continue
        # The quotes of the whole function, counted once: for the next `def`'s count, and because a
        # body that leaves a string open does not end where its indentation says.
        odd = _odd_triple_quotes(text, keyword, body_end)
        open_quotes ^= odd
        quoted = body_end
        if odd or _continued(text, body_start, body_end):
            continue
        after = _after_docstring(text, body_start, body_end)
        if after is None:
            continue
        pass_start, indent = after
        newlines = lines - text.count("\n", body_start, pass_start)
        if newlines >= _MIN_BODY_LINES:
            edits.append((pass_start, body_end, f"{indent}pass" + "\n" * newlines, start))
    return edits


def _data_edits(text: str, keep: list[int]) -> list[_Edit]:
    """Module-level `name = (`, `[` or `{` ... statements whose value the analysis never reads.

    Data tables (codecs, Unicode, test data) are a tenth of the standard library's text. The
    value of `__all__` and of constants is read, so those are kept.
    """
    edits: list[_Edit] = []
    for head in _DATA_HEAD.finditer(text):
        start, name = head.start() + 1, head.group(1)
        if name == "__all__" or CONSTANT_NAME.match(name):
            continue
        end = _DATA_END.search(text, head.end() - 1)
        stop = end.start() + 1 if end else len(text)
        newlines = text.count("\n", start, stop)
        if newlines <= _MIN_BODY_LINES:
            continue
        if _holds(keep, start, stop) or not _self_contained(text, start, stop):
            continue
        edits.append((start, stop, f"{name} = ..." + "\n" * newlines, name))
    return edits


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


def _holds(offsets: list[int], start: int, stop: int) -> bool:
    """True when one of the ascending `offsets` lies in [start, stop)."""
    index = bisect_left(offsets, start)
    return index < len(offsets) and offsets[index] < stop


def _self_contained(text: str, body_start: int, body_end: int) -> bool:
    """False when the body's last line may continue past it: a backslash or an open triple quote."""
    return not (_continued(text, body_start, body_end) or _odd_triple_quotes(text, body_start, body_end))


def _continued(text: str, body_start: int, body_end: int) -> bool:
    """True when the last line of text before `body_end` ends with a backslash."""
    last = body_end - 1
    while last > body_start and text[last] in " \t\n":
        last -= 1
    return text[last] == "\\"


def _odd_triple_quotes(text: str, start: int, end: int) -> int:
    """Bit 0 set for an odd number of `\"\"\"` in text[start:end], bit 1 for `'''`."""
    return (text.count('"""', start, end) & 1) | (text.count("'''", start, end) & 1) << 1
