"""tree-sitter plumbing for the C family: cached parsers, what errors lost, node helpers."""

from __future__ import annotations

import importlib
import re
import threading

from analyzers.textutil import comment_text

_GRAMMARS = {"c": "tree_sitter_c", "cpp": "tree_sitter_cpp", "cuda": "tree_sitter_cuda"}
_LANGUAGES: dict[str, object] = {}
_PARSERS = threading.local()  # a tree-sitter Parser must not be shared between threads

# An unparsed region smaller than this loses nothing worth a "reduced analysis" note.
_LOST_BYTES = 200
_WELL_FORMED = {
    "function_definition", "declaration", "class_specifier", "struct_specifier", "union_specifier",
    "enum_specifier", "namespace_definition", "template_declaration", "preproc_include", "preproc_def",
    "preproc_function_def", "type_definition", "alias_declaration", "linkage_specification", "comment",
    "expression_statement", "compound_statement", "function_declarator", "field_declaration_list",
    "field_declaration", "friend_declaration", "access_specifier", "using_declaration",
}  # fmt: skip
_WRAPPERS = {"template_declaration", "declaration", "field_declaration", "type_definition"}
_TEMPLATE_ARGS = re.compile(r"<[^<>]*>")
_OPERATOR = re.compile(r"(?:^|(?<=::))operator\b")
_SCOPE_SPACES = re.compile(r"\s*::\s*")
_PAREN_SPACES = re.compile(r"\(\s+|\s+\)")
_COMMENTS = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
_DEFINITION_AT_COLUMN_0 = re.compile(
    rb"\n(?:(?:template|class|struct|union|enum|namespace|typedef|using|static|inline|extern)\b"
    rb"|(?:TEST|TEST_F|TEST_P|TYPED_TEST|TYPED_TEST_P)[ \t]*\()"
)


def comment_above(node, source: bytes) -> str:
    """The comment block that ends on the line just above a definition (or its template/declaration)."""
    while node.parent is not None and node.parent.type in _WRAPPERS:
        node = node.parent
    lines: list[str] = []
    expected = node.start_point[0] - 1
    sibling = node.prev_sibling
    while sibling is not None and sibling.type == "comment" and sibling.end_point[0] == expected:
        lines[:0] = comment_text(source[sibling.start_byte : sibling.end_byte].decode("utf-8", "replace"))
        expected = sibling.start_point[0] - 1
        sibling = sibling.prev_sibling
    return "\n".join(lines)


def parser_for(language: str):
    """One cached tree-sitter parser per grammar and thread, created on first use."""
    parsers = _PARSERS.__dict__
    if language not in parsers:
        from tree_sitter import Language, Parser

        if language not in _LANGUAGES:
            _LANGUAGES[language] = Language(importlib.import_module(_GRAMMARS[language]).language())
        parsers[language] = Parser(_LANGUAGES[language])
    return parsers[language]


def lost_lines(errors: list, label: str, source: bytes) -> str:
    """What the parse lost, named by lines ("lines 12-40 (3% of the file) ..."), or "" when nothing."""
    size = len(source)
    lost = sorted(
        (node for error in errors for node in _lost_nodes(error) if not _on_directive_line(source, node)),
        key=lambda node: node.start_byte,
    )
    total = sum(node.end_byte - node.start_byte for node in lost)
    if total < min(_LOST_BYTES, size // 10):
        return ""
    spans: list[list[int]] = []
    for node in lost:
        first, last = node.start_point[0] + 1, node.end_point[0] + 1
        if spans and first <= spans[-1][1] + 5:
            spans[-1][1] = max(spans[-1][1], last)
        else:
            spans.append([first, last])
    shown = ", ".join(f"{a}-{b}" if b > a else str(a) for a, b in spans[:5])
    more = f" and {len(spans) - 5} more" if len(spans) > 5 else ""
    share = max(1, 100 * total // max(size, 1))
    return (
        f"{label} parse incomplete: lines {shown}{more} ({share}% of the file) did not parse, so definitions "
        "there may be missing; includes and macros come from a line scan and are complete"
    )


def _on_directive_line(source: bytes, node) -> bool:
    """A token of `#ifndef X` or `#define Y`: the line pass reads those lines."""
    line_start = source.rfind(b"\n", 0, node.start_byte) + 1
    return source[line_start : node.start_byte].lstrip().startswith(b"#")


def _lost_nodes(error):
    """The parts of an ERROR node that are not well-formed definitions, at any depth."""
    for child in error.children:
        if child.type == "ERROR":
            yield from _lost_nodes(child)
        elif child.has_error:
            for inner in _errors_in(child):
                yield from _lost_nodes(inner)
        elif child.is_named and child.type not in _WELL_FORMED and not child.type.startswith("preproc_"):
            yield child  # loose punctuation and `#ifndef` tokens lose nothing


def _errors_in(node):
    """The outermost ERROR nodes under a node."""
    for child in node.children:
        if child.type == "ERROR":
            yield child
        elif child.has_error:
            yield from _errors_in(child)


def swallowed_region(function, source: bytes) -> tuple[int, int] | None:
    """The part of a function body that is really more definitions, as (start, end) offsets; None when none.

    Code is indented inside a body; a line that starts a definition at column 0 (`template`, `class`,
    `namespace`, `TEST(`, ...) means the parse did not see where the body ended.
    """
    body = function.child_by_field_name("body")
    if body is None or body.end_point[0] == body.start_point[0]:
        return None
    found = _DEFINITION_AT_COLUMN_0.search(source, body.start_byte, body.end_byte)
    return None if found is None else (found.start() + 1, body.end_byte)


def parse_region(parser, source: bytes, start: int, end: int):
    """The tree of source[start:end] alone, at its true offsets and lines (start is a line's start)."""
    from tree_sitter import Range

    row = source.count(b"\n", 0, start)
    last_row = row + source.count(b"\n", start, end)
    column = end - (source.rfind(b"\n", 0, end) + 1)
    whole = parser.included_ranges
    parser.included_ranges = [Range((row, 0), (last_row, column), start, end)]
    try:
        return parser.parse(source)
    finally:
        parser.included_ranges = whole


def plain_name(name: str) -> str:
    """Collapse whitespace and drop template arguments: `Box<T>::get` -> `Box::get`."""
    name = " ".join(name.split())
    if ":: " in name or " ::" in name or name.startswith("::"):
        name = _SCOPE_SPACES.sub("::", name).removeprefix("::")
    operator = _OPERATOR.search(name)
    if operator:  # `operator<=>`, `operator<`: no template arguments to drop in the operator itself
        return plain_name(name[: operator.start()]) + name[operator.start() :] if operator.start() else name
    while "<" in name and _TEMPLATE_ARGS.search(name):
        name = _TEMPLATE_ARGS.sub("", name)
    return name


def declared_name(node):
    """The identifier a (possibly pointer, array or function) declarator declares, None when none."""
    for _ in range(8):
        if node is None or node.type in ("type_identifier", "identifier", "field_identifier"):
            return node
        node = node.child_by_field_name("declarator") or (node.named_children[0] if node.named_children else None)
    return None


def function_declarator(node):
    """The function_declarator under pointer/reference declarators, None for variables."""
    while node is not None and node.type != "function_declarator":
        if node.type not in ("pointer_declarator", "reference_declarator", "attributed_declarator"):
            return None
        node = node.child_by_field_name("declarator") or (node.named_children[-1] if node.named_children else None)
    return node


def one_line(code: str) -> str:
    """Whitespace collapsed, none just inside parentheses: `f( int a )` -> `f(int a)`."""
    collapsed = " ".join(code.split())
    if "( " not in collapsed and " )" not in collapsed:
        return collapsed
    return _PAREN_SPACES.sub(lambda m: m.group(0).strip(), collapsed)


def strip_comments(text: str) -> str:
    if "/" not in text:
        return text
    return _COMMENTS.sub(" ", text)
