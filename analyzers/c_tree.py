"""tree-sitter plumbing for the C family: cached parsers, macro masking, error share, node helpers."""

from __future__ import annotations

import importlib
import re
import threading

from analyzers.findings import AnalysisDegraded

_GRAMMARS = {"c": "tree_sitter_c", "cpp": "tree_sitter_cpp", "cuda": "tree_sitter_cuda"}
_LANGUAGES: dict[str, object] = {}
_PARSERS = threading.local()  # a tree-sitter Parser must not be shared between threads

# Export/visibility macros (TORCH_API, C10_EXPORT) hide declarations from the grammar.
_EXPORT_MACRO = re.compile(
    rb"\b(?:[A-Z][A-Z0-9]*_)+(?:API|EXPORT|IMPORT|HIDDEN|VISIBILITY_HIDDEN|EXPORTS)\b(?![ \t]*\()"
)
# `namespace std _GLIBCXX_VISIBILITY(default) {`: an attribute macro before the brace.
_NAMESPACE_ATTRIBUTE = re.compile(rb"(\bnamespace[ \t]+[\w:]+[ \t]+)([A-Z_][A-Za-z0-9_]*[ \t]*\([^()\n]*\))(?=\s*\{)")
# `PyAPI_FUNC(int) name(...)`: a return type wrapped in a macro call.
_WRAPPED_TYPE = re.compile(rb"(?m)^([ \t]*[A-Za-z]\w*_[A-Z]\w*\()([^()\n]*)\)(?=[ \t*]*[A-Za-z_]\w*[ \t]*\()")
# A parse is useless when errors cover more than this share of the file.
_MAX_ERROR_SHARE = 0.5
_WELL_FORMED = {
    "function_definition", "declaration", "class_specifier", "struct_specifier", "union_specifier",
    "enum_specifier", "namespace_definition", "template_declaration", "preproc_include", "preproc_def",
    "preproc_function_def", "type_definition", "alias_declaration", "linkage_specification", "comment",
    "preproc_if", "preproc_ifdef", "expression_statement",
}  # fmt: skip
_TEMPLATE_ARGS = re.compile(r"<[^<>]*>")


def parser_for(language: str):
    """One cached tree-sitter parser per grammar and thread, created on first use."""
    parsers = _PARSERS.__dict__
    if language not in parsers:
        from tree_sitter import Language, Parser

        if language not in _LANGUAGES:
            _LANGUAGES[language] = Language(importlib.import_module(_GRAMMARS[language]).language())
        parsers[language] = Parser(_LANGUAGES[language])
    return parsers[language]


def mask_export_macros(source: bytes) -> bytes:
    """Blank export and attribute macros the grammar cannot parse, keeping every byte offset."""
    if b"_" not in source:
        return source

    def blank_export(match: re.Match) -> bytes:
        line_start = source.rfind(b"\n", 0, match.start()) + 1
        if source[line_start : match.start()].lstrip().startswith(b"#"):
            return match.group(0)  # `#define TORCH_API ...` stays a definition
        return b" " * len(match.group(0))

    masked = _EXPORT_MACRO.sub(blank_export, source)
    masked = _NAMESPACE_ATTRIBUTE.sub(lambda m: m.group(1) + b" " * len(m.group(2)), masked)
    return _WRAPPED_TYPE.sub(lambda m: b" " * len(m.group(1)) + m.group(2) + b" ", masked)


def check_usable(root, found_symbols: bool, label: str, size: int) -> None:
    """Raise AnalysisDegraded when parse errors cover most of the file."""
    if not root.has_error:
        return
    broken = sum(_unparsed_bytes(child) for child in root.children if child.type == "ERROR")
    if root.type == "ERROR" and not found_symbols:
        raise AnalysisDegraded(f"{label} parse failed (not a complete translation unit); showing a lexical analysis")
    if broken > size * _MAX_ERROR_SHARE:
        share = 100 * broken // max(size, 1)
        raise AnalysisDegraded(f"{label} parse failed ({share}% of the file unparseable); showing a lexical analysis")


def _unparsed_bytes(error) -> int:
    """Bytes of an ERROR node not covered by well-formed definitions inside it, at any depth."""
    unparsed = error.end_byte - error.start_byte
    for child in error.children:
        if child.type == "ERROR":
            unparsed -= child.end_byte - child.start_byte - _unparsed_bytes(child)
        elif child.type in _WELL_FORMED and not child.has_error:
            unparsed -= child.end_byte - child.start_byte
    return unparsed


def plain_name(name: str) -> str:
    """Collapse whitespace and drop template arguments: `Box<T>::get` -> `Box::get`."""
    name = " ".join(name.split())
    while "<" in name and _TEMPLATE_ARGS.search(name):
        name = _TEMPLATE_ARGS.sub("", name)
    return name


def function_declarator(node):
    """The function_declarator under pointer/reference declarators, None for variables."""
    while node is not None and node.type != "function_declarator":
        if node.type not in ("pointer_declarator", "reference_declarator", "attributed_declarator"):
            return None
        node = node.child_by_field_name("declarator") or (node.named_children[-1] if node.named_children else None)
    return node


def one_line(code: str) -> str:
    """Whitespace collapsed, none just inside parentheses: `f( int a )` -> `f(int a)`."""
    return re.sub(r"\(\s+|\s+\)", lambda m: m.group(0).strip(), " ".join(code.split()))


def strip_comments(text: str) -> str:
    if "/" not in text:
        return text
    return re.sub(r"/\*.*?\*/|//[^\n]*", " ", text, flags=re.S)
