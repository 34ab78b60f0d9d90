"""C, C++ and CUDA through tree-sitter: qualified namespaces, classes, functions, macros, includes."""

from __future__ import annotations

import re
from collections.abc import Callable

from analyzers.c_branches import mask_branches
from analyzers.c_lines import NEVER, scan_directives, scan_scope_macros
from analyzers.c_macros import mask_macros
from analyzers.c_signals import scan_signals
from analyzers.c_tree import (
    comment_above,
    declared_name,
    function_declarator,
    lost_lines,
    one_line,
    parse_region,
    parser_for,
    plain_name,
    strip_comments,
    swallowed_region,
)
from analyzers.findings import Findings
from analyzers.languages import LanguageSpec
from analyzers.textutil import LineIndex, comment_purpose, comment_summary, leading_comment

_CONTAINERS = {
    "translation_unit", "declaration_list", "preproc_if", "preproc_ifdef", "preproc_else",
    "preproc_elif", "preproc_elifdef", "linkage_specification", "friend_declaration",
}  # fmt: skip
_TEST_MACROS = {"TEST", "TEST_F", "TEST_P", "TYPED_TEST", "TYPED_TEST_P"}
_CLASS_KINDS = {
    "class_specifier": "class",
    "struct_specifier": "struct",
    "union_specifier": "union",
    "enum_specifier": "enum",
}
_GROUPS = {"class": "Classes", "struct": "Structs", "union": "Unions", "enum": "Enums"}
_NAME_TYPES = {
    "identifier", "field_identifier", "qualified_identifier", "destructor_name",
    "operator_name", "template_function", "operator_cast",
}  # fmt: skip
_NAMESPACE_NAMES = {"identifier", "namespace_identifier", "nested_namespace_specifier"}
_MACRO_CALL = re.compile(r"^([A-Z][A-Z0-9_]{2,})\s*\(")
# Parsing parts of a file again costs at most this many times the file's own parse, whatever it holds.
_RESCUE_BUDGET = 2


def analyze(path: str, text: str, spec: LanguageSpec) -> Findings:
    """Walk the declaration levels of the tree (not function bodies); scan lines for signals."""
    source = text.encode("utf-8", "surrogatepass")
    parser = parser_for(spec.analyzer)
    parsed = mask_macros(mask_branches(source), cuda=spec.analyzer == "cuda")
    walker = _Walker(source, lambda start, end: parse_region(parser, parsed, start, end))
    tree = parser.parse(parsed)
    walker.visit(tree.root_node, [], None, "")  # why visit: the root itself may be an ERROR node
    findings = walker.findings
    lines = LineIndex(text)
    scan_directives(findings, text, lines)
    scan_scope_macros(findings, text, lines)
    findings.symbols.sort(key=lambda symbol: symbol.line)
    findings.reduced = lost_lines(walker.errors, spec.type_label.split()[0], source)
    findings.purpose = comment_purpose(leading_comment(text, "slash")) or walker.single_class_comment()
    scan_signals(findings, path, text, lines, walker.overloads())
    return findings


class _Walker:
    """Collects definitions with fully qualified names."""

    def __init__(self, source: bytes, parse_region: Callable[[int, int], object]):
        self.source = source
        self.parse_region = parse_region  # (start, end) -> a tree of that part of the source alone
        self.rescue_left = _RESCUE_BUDGET * len(source)  # bytes that may still be parsed again
        self.findings = Findings()
        self.namespaces: set[str] = set()
        self.classes: dict[str, int] = {}
        self.class_comments: list[str] = []
        self.functions: dict[str, list[int]] = {}
        self.errors: list = []  # ERROR nodes met at declaration level, outermost only
        self.in_error = False

    def text(self, node, limit: int = 0) -> str:
        """The source of a node; with `limit`, of its first `limit` bytes only (a body is never decoded)."""
        end = min(node.end_byte, node.start_byte + limit) if limit else node.end_byte
        return self.source[node.start_byte : end].decode("utf-8", "replace")

    def visit_children(self, node, scope: list[str], cls: str | None, template: str) -> None:
        for child in node.named_children:  # punctuation and keywords declare nothing
            self.visit(child, scope, cls, template)

    def visit(self, node, scope: list[str], cls: str | None, template: str) -> None:
        """Dispatch a declaration-level node; function bodies are never entered."""
        kind = node.type
        if kind == "ERROR":
            self.visit_error(node, scope, cls, template)
        elif kind in ("preproc_if", "preproc_elif") and self.never(node.child_by_field_name("condition")):
            alternative = node.child_by_field_name("alternative")  # `#if 0`: code switched off, often an example
            if alternative is not None:
                self.visit(alternative, scope, cls, template)
        elif kind in _CONTAINERS or kind.startswith(("preproc_if", "preproc_el")):
            self.visit_children(node, scope, cls, template)
        elif kind == "namespace_definition":
            self.visit_namespace(node, scope)
        elif kind == "template_declaration":
            params = node.child_by_field_name("parameters")
            prefix = f"template {' '.join(self.text(params).split())} " if params else "template "
            self.visit_children(node, scope, cls, prefix)
        elif kind in _CLASS_KINDS:
            self.visit_class(node, scope, template)
        elif kind in ("function_definition", "declaration", "field_declaration"):
            self.visit_declaration(node, scope, cls, template)
        elif kind in ("type_definition", "alias_declaration"):
            self.visit_alias(node, scope)
        elif kind == "expression_statement" and cls is None:
            self.visit_macro_call(node)

    def never(self, condition) -> bool:
        """True for the condition of `#if 0` (or `#if false`): what it guards is never compiled."""
        return condition is not None and self.text(condition) in NEVER

    def visit_error(self, node, scope: list[str], cls: str | None, template: str) -> None:
        """Error recovery keeps `namespace a {` as loose tokens: reopen the scope for what follows."""
        if not self.in_error:
            self.errors.append(node)
        outer, self.in_error = self.in_error, True
        if cls is None:  # e.g. DECLARE_DISPATCH(void (*)(...), stub);
            self.visit_macro_call(node)
        children = node.children
        for index, child in enumerate(children):
            following = children[index + 1] if index + 1 < len(children) else None
            if child.type == "namespace" and following is not None and following.type in _NAMESPACE_NAMES:
                scope = self.enter_namespace(child, following, scope)
            elif child.type == "function_declarator" and following and following.type == "compound_statement":
                self.record_loose_function(child, scope, cls, template)
            else:
                self.visit(child, scope, cls, template)
        self.in_error = outer

    def record_loose_function(self, declarator, scope: list[str], cls: str | None, template: str) -> None:
        """`name(...) {` left loose by error recovery: still a definition."""
        name_node = declarator.child_by_field_name("declarator")
        if name_node is not None and name_node.type in _NAME_TYPES:
            self.record_function(declarator, declarator, plain_name(self.text(name_node)), scope, cls, template)

    def visit_namespace(self, node, scope: list[str]) -> None:
        inner = self.enter_namespace(node, node.child_by_field_name("name"), scope)
        body = node.child_by_field_name("body")
        if body is not None:
            self.visit_children(body, inner, None, "")

    def misread_namespace(self, node, type_node, scope: list[str]) -> bool:
        """`namespace std {` read as a function after an unbalanced `#if` branch: visit it as the namespace."""
        if type_node is not None and self.text(type_node) == "namespace":
            name_node = node.child_by_field_name("declarator")
        else:  # `namespace` itself was swallowed by the ERROR node just before
            before = node.prev_sibling
            swallowed = before is not None and before.type == "ERROR" and before.children
            if not swallowed or before.children[-1].type != "namespace":
                return False
            name_node = type_node
        body = node.child_by_field_name("body")
        if name_node is None or name_node.type not in _NAMESPACE_NAMES | {"field_identifier", "type_identifier"}:
            return False
        inner = self.enter_namespace(node, name_node, scope)
        if body is not None:
            self.visit_children(body, inner, None, "")
        return True

    def rescue(self, node, scope: list[str], cls: str | None) -> None:
        """Definitions at the start of a line inside a function body: the parse ran the body past its
        real end (a macro it could not read), so that part is parsed again on its own and walked."""
        region = swallowed_region(node, self.source)
        if region is None or region[1] - region[0] > self.rescue_left:
            return
        self.rescue_left -= region[1] - region[0]
        self.visit(self.parse_region(*region).root_node, scope, cls, "")

    def enter_namespace(self, node, name_node, scope: list[str]) -> list[str]:
        """Record a namespace (once) and return the scope inside it."""
        parts = self.text(name_node).replace(" ", "").split("::") if name_node else ["(anonymous)"]
        inner = [*scope, *(part for part in parts if part != "inline")]
        name = "::".join(inner)
        if name not in self.namespaces:
            self.namespaces.add(name)
            self.findings.symbol("namespace", name, node.start_point[0] + 1, f"namespace {'::'.join(parts)}")
            self.findings.keyword("Namespaces", name)
        return inner

    def visit_class(self, node, scope: list[str], template: str) -> None:
        body = node.child_by_field_name("body")
        name_node = node.child_by_field_name("name")
        if body is None or name_node is None or name_node.is_missing or name_node.start_byte == name_node.end_byte:
            return
        previous = name_node.prev_sibling
        if previous is not None and previous.type == "ERROR" and self.text(previous).strip() == ":":
            return  # `enum : ullong {`: an anonymous enum whose base type was read as its name
        kind = _CLASS_KINDS[node.type]
        # `formatter<int>` and `formatter<double>` are two classes: a specialization keeps its arguments.
        written = self.text(name_node)
        short = " ".join(written.split()) if name_node.type == "template_type" else plain_name(written)
        name = "::".join([*scope, short])
        bases = next((c for c in node.children if c.type == "base_class_clause"), None)
        header = self.text(node, body.start_byte - node.start_byte)
        comment = self.preceding_comment(node)
        self.findings.symbol(
            kind, name, node.start_point[0] + 1, template + " ".join(header.split()), comment_summary(comment)
        )
        self.findings.keyword(_GROUPS[kind], name)
        self.classes[short.rsplit("::", 1)[-1]] = node.start_point[0] + 1
        self.class_comments.append(comment)
        if template.strip() == "template <>":  # `template <> struct formatter<int>`: no template itself
            self.findings.cite(f"Explicit {kind} specializations", f"`{name}` (line {node.start_point[0] + 1})")
        elif template:
            self.findings.keyword("Templates", name)
            self.findings.cite(f"{kind.capitalize()} templates", f"`{name}` (`{template.strip()}`)")
        if bases is not None:
            for base in self.text(bases).lstrip(":").split(","):
                base = " ".join(w for w in base.split() if w not in ("public", "private", "protected", "virtual"))
                self.findings.cite(f"Derives from `{base}`", f"`{name}` (line {node.start_point[0] + 1})")
        if kind != "enum":
            self.visit_children(body, [*scope, short], short, "")

    def visit_declaration(self, node, scope: list[str], cls: str | None, template: str) -> None:
        type_node = node.child_by_field_name("type")
        if node.type == "function_definition":
            if self.misread_namespace(node, type_node, scope):
                return
            self.rescue(node, scope, cls)
        if type_node is not None and type_node.type in _CLASS_KINDS:
            self.visit_class(type_node, scope, template)
        declared = node.child_by_field_name("declarator")
        if declared is not None and declared.type == "operator_cast":  # `operator bool() const`
            cast_type = declared.child_by_field_name("type")
            written = "operator " + (" ".join(self.text(cast_type).split()) if cast_type is not None else "")
            self.record_function(node, declared, written, scope, cls, template)
            return
        declarator = function_declarator(declared)
        if declarator is None:
            return
        name_node = declarator.child_by_field_name("declarator")
        if name_node is None or name_node.type not in _NAME_TYPES:
            return
        written = plain_name(self.text(name_node))
        if type_node is None and written in _TEST_MACROS and node.type == "function_definition":
            self.record_test(node, declarator.child_by_field_name("parameters"), written)
            return
        if type_node is None and written != cls and _MACRO_CALL.match(written + "("):
            self.record_macro_call(node, written)
            return
        self.record_function(node, declarator, written, scope, cls, template)

    def record_function(self, node, declarator, written: str, scope: list[str], cls: str | None, template: str) -> None:
        """A function or method (out-of-line `A::f` when `A` looks like a class), with its signature."""
        qualifier = written.rsplit("::", 1)[0] if "::" in written else ""
        short = written.rsplit("::", 1)[-1]
        owner = qualifier.rsplit("::", 1)[-1]
        is_method = (
            cls is not None
            or bool(qualifier)
            and (
                owner in self.classes
                or short.lstrip("~") == owner
                or (owner[:1].isupper() and owner not in self.namespaces)
            )
        )
        name = "::".join([*scope, written])
        head = self.text(node, declarator.end_byte - node.start_byte)
        signature = template + one_line(strip_comments(head))
        line = node.start_point[0] + 1
        doc = comment_summary(self.preceding_comment(node))
        self.findings.symbol("method" if is_method else "function", name, line, signature, doc)
        self.findings.keyword("Methods" if is_method else "Functions", name)
        if node.type == "function_definition":
            self.functions.setdefault(name, []).append(line)
        if "__global__" in head[: declarator.start_byte - node.start_byte]:
            self.findings.keyword("Kernels", name)
            self.findings.note(
                "performance", line, f"CUDA kernel `{name}` (`__global__`): runs on the GPU, launched from the host."
            )
        elif "__device__" in head:
            self.findings.note("performance", line, f"`{name}` is `__device__` code: it runs on the GPU.")
        if "override" in head[declarator.start_byte - node.start_byte :]:
            self.findings.cite("Overrides virtual methods", f"`{name}`")

    def record_test(self, node, params, macro: str) -> None:
        """`TEST(Suite, Name) {...}`: a googletest case named `Suite.Name`; `params` holds the two names."""
        parts = [" ".join(self.text(p).split()) for p in params.named_children] if params is not None else []
        name = ".".join(parts[:2]) or macro
        line = node.start_point[0] + 1
        doc = comment_summary(self.preceding_comment(node))
        self.findings.symbol("test", name, line, f"{macro}({', '.join(parts)})", doc)
        self.findings.keyword("Test Cases", name)

    def visit_alias(self, node, scope: list[str]) -> None:
        type_node = node.child_by_field_name("type")
        if type_node is not None and type_node.type in _CLASS_KINDS:
            self.visit_class(type_node, scope, "")
        written = " ".join(self.text(node, 2000).rstrip(";").split())[:160]
        name_node = node.child_by_field_name("name")
        targets = [name_node] if name_node is not None else node.children_by_field_name("declarator")
        for target in targets:
            identifier = declared_name(target)
            if identifier is not None:
                name = "::".join([*scope, self.text(identifier)])
                self.findings.symbol("alias", name, node.start_point[0] + 1, written)
                self.findings.keyword("Type Aliases", name)

    def visit_macro_call(self, node) -> None:
        match = _MACRO_CALL.match(self.text(node, 200))
        call = node.named_children[0] if node.type == "expression_statement" and node.named_children else None
        if match and match.group(1) in _TEST_MACROS and call is not None and call.type == "call_expression":
            self.record_test(node, call.child_by_field_name("arguments"), match.group(1))  # `TEST(a, enum) {`
        elif match:
            self.record_macro_call(node, match.group(1))

    def record_macro_call(self, node, macro: str) -> None:
        self.findings.keyword("Macro Invocations", macro)
        if macro.endswith("_DISPATCH"):  # described by the dispatch-stub patterns
            return
        written = " ".join(self.text(node, 400).split())
        call = written if len(written) <= 80 else written[:77] + "..."
        self.findings.cite(
            f"Invokes `{macro}` at namespace scope", f"`{call.rstrip(';')}` (line {node.start_point[0] + 1})"
        )

    def preceding_comment(self, node) -> str:
        return comment_above(node, self.source)

    def single_class_comment(self) -> str:
        """The comment above the only class of the file, as a fallback purpose."""
        if len(self.class_comments) == 1:
            return comment_purpose(self.class_comments[0].split("\n"))
        return ""

    def overloads(self) -> dict[str, list[int]]:
        return {name: lines for name, lines in self.functions.items() if len(lines) > 1}
