"""`#if` branches that each open (or close) a brace, read as one: the first branch kept, the rest blanked.

    #if defined(_MSC_VER)
    TEST(Suite, DISABLED_Case) {
    #else
    TEST(Suite, Case) {
    #endif
      ...
    }

The preprocessor keeps one branch; a parser that sees both finds two `{` and one `}`, and
everything after the group becomes the body of a function that never ends: the rest of the
file is lost without a single error node. When every branch of an innermost `#if` group
changes the brace depth by the same amount (not zero), the group's directive lines and all
branches but the first are blanked, every byte offset and line kept, so the parser reads the
code as the first branch has it. Includes and defines come from the line pass over the
original text, so nothing of theirs is lost here.
"""

from __future__ import annotations

import re

from analyzers.c_macros import spaces

# A conditional directive, continuations included; the text is given a line break in front
# (a literal first character is found by a fast scan, where `^` is tried at every position).
_CONDITIONAL = re.compile(rb"\n[ \t]*#[ \t]*(if|ifdef|ifndef|elif|else|endif)\b(?:[^\n]*\\\r?\n)*[^\n]*")
# What braces inside do not count: comments, string and character literals.
_NOISE = re.compile(rb"//[^\n]*|/\*.*?\*/|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'", re.S)


class _Group:
    """One `#if` ... `#endif` group being read: its directive spans and its branches' spans."""

    def __init__(self, directive: tuple[int, int]):
        self.directives = [directive]
        self.branches: list[tuple[int, int]] = []
        self.branch_start = directive[1]
        self.nested = False

    def next_branch(self, directive: tuple[int, int]) -> None:
        self.branches.append((self.branch_start, directive[0]))
        self.directives.append(directive)
        self.branch_start = directive[1]


def mask_branches(source: bytes) -> bytes:
    """The source with the unbalanced alternatives of innermost `#if` groups blanked (offsets kept)."""
    if b"#" not in source or (b"else" not in source and b"elif" not in source):
        return source
    text = b"\n" + source
    groups: list[_Group] = []
    blanks: list[tuple[int, int]] = []
    for match in _CONDITIONAL.finditer(text):
        directive, span = match.group(1), (match.start() + 1, match.end())
        if directive.startswith(b"if"):
            if groups:
                groups[-1].nested = True
            groups.append(_Group(span))
        elif not groups:
            continue  # an `#else` or `#endif` without its `#if` (in this file)
        elif directive != b"endif":
            groups[-1].next_branch(span)
        else:
            group = groups.pop()
            group.next_branch(span)
            if not group.nested and len(group.branches) > 1 and _same_shift(text, group.branches):
                blanks += group.directives
                blanks += group.branches[1:]
    if not blanks:
        return source
    pieces, copied = [], 0
    for start, end in sorted(blanks):
        pieces += (text[copied:start], spaces(text[start:end]))
        copied = end
    pieces.append(text[copied:])
    return b"".join(pieces)[1:]


def _same_shift(text: bytes, branches: list[tuple[int, int]]) -> bool:
    """True when every branch changes the brace depth by the same amount, and that amount is not zero."""
    shifts = {_shift(_NOISE.sub(b"", text[start:end])) for start, end in branches}
    return len(shifts) == 1 and 0 not in shifts


def _shift(code: bytes) -> int:
    return code.count(b"{") - code.count(b"}")
