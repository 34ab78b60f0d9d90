"""Python sources through the standard library `ast`: definitions, signatures, imports, exports."""

from __future__ import annotations

import ast

from analyzers.findings import AnalysisDegraded, Findings
from analyzers.languages import LanguageSpec
from analyzers.model import PARSE_FILENAME
from analyzers.python_signals import PythonSignals, dotted_name, lines_at, risky_offsets
from analyzers.python_skim import CONSTANT_NAME, skim
from analyzers.textutil import comment_purpose, docstring_purpose, first_doc_line, leading_comment

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_MAX_VALUE = 60


def analyze(path: str, text: str, spec: LanguageSpec) -> Findings:
    """Definitions, imports and signals of one Python module, from one parse and one walk.

    The parse is of the skimmed text (function bodies blanked, see `python_skim`) when the
    walk over it confirms the skim; else of a second skim that spares what the first got wrong
    (a `def` inside a string); else of the text itself.
    """
    offsets = risky_offsets(text)
    risky = lines_at(text, offsets)
    skimmed = skim(text, offsets)
    for second_try in (False, True):
        if skimmed is None:
            break
        try:
            tree = _parse(skimmed.text)
        except AnalysisDegraded:
            break  # the full parse below says where the error is
        module = _walk(path, text, tree, risky)
        wrong = skimmed.unconfirmed(module.functions, tree)
        if not wrong:
            return module.findings
        skimmed = None if second_try else skim(text, offsets, spare=wrong)
    return _walk(path, text, _parse(text), risky).findings


def analyze_unskimmed(path: str, text: str) -> Findings:
    """The same analysis from a parse of the whole text: the reference a skimmed parse must agree with."""
    return _walk(path, text, _parse(text), lines_at(text, risky_offsets(text))).findings


def _walk(path: str, text: str, tree: ast.Module, risky: set[int]) -> _ModuleWalker:
    module = _ModuleWalker(path, text)
    module.visit_body(tree.body, "", in_class=False)
    module.finish(tree, risky)
    return module


def _parse(text: str) -> ast.Module:
    # The parser's warnings (invalid escapes, ...) are about the analyzed file, so they carry the
    # name PARSE_FILENAME: the process's entry point silences that name once (bot/cli.py), since
    # changing warning filters here would race with other threads.
    try:
        return ast.parse(text, PARSE_FILENAME)
    except SyntaxError as exc:
        where = f" at line {exc.lineno}" if exc.lineno else ""
        raise AnalysisDegraded(f"Python syntax error{where}: {exc.msg}; showing a lexical analysis") from None
    except ValueError as exc:  # NUL bytes past the binary sniff window
        raise AnalysisDegraded(f"Python source cannot be parsed ({exc}); showing a lexical analysis") from None


def docstring_of(node: ast.AST) -> tuple[str, int]:
    """The raw docstring of a module, class or function and its line, ("", 0) when none."""
    body = getattr(node, "body", None)
    if body and type(first := body[0]) is ast.Expr and type(first.value) is ast.Constant:
        value = first.value.value
        if type(value) is str:
            return value, first.lineno
    return "", 0


def signature(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """`async def f[T](a: int = 1, *, b=2) -> T`, spaced as PEP 8 writes it."""
    prefix = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
    type_params = getattr(node, "type_params", None)  # Python 3.12+
    generic = f"[{', '.join(ast.unparse(p) for p in type_params)}]" if type_params else ""
    returns = f" -> {expression_text(node.returns)}" if node.returns else ""
    return f"{prefix} {node.name}{generic}({_arguments(node.args)}){returns}"


def _arguments(args: ast.arguments) -> str:
    positional = [*args.posonlyargs, *args.args] if args.posonlyargs else args.args
    parts = [arg.arg if arg.annotation is None else _argument(arg, None) for arg in positional]
    for index, default in enumerate(args.defaults, len(positional) - len(args.defaults)):
        parts[index] = _argument(positional[index], default)
    if args.posonlyargs:
        parts.insert(len(args.posonlyargs), "/")
    if args.vararg or args.kwonlyargs:
        parts.append("*" + (_argument(args.vararg, None) if args.vararg else ""))
    parts.extend(_argument(arg, default) for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True))
    if args.kwarg:
        parts.append("**" + _argument(args.kwarg, None))
    return ", ".join(parts)


def _argument(arg: ast.arg, default: ast.expr | None) -> str:
    if arg.annotation is None:
        return arg.arg if default is None else f"{arg.arg}={expression_text(default)}"
    annotated = f"{arg.arg}: {expression_text(arg.annotation)}"
    return annotated if default is None else f"{annotated} = {expression_text(default)}"


def expression_text(node: ast.expr) -> str:
    """`ast.unparse` of an annotation or default, the common shapes written directly.

    Why: `ast.unparse` costs ~15 µs a call, and a module has thousands of signatures. Each shape
    here prints exactly as `ast.unparse` prints it; anything else goes to `ast.unparse`.
    """
    return _simple(node) or ast.unparse(node)


def _simple(node: ast.expr) -> str:
    """The text of a name, dotted name, plain constant, `X[...]`, `A | B` or `[A, B]`; "" for anything else."""
    kind = type(node)
    if kind is ast.Name:
        return node.id
    if kind is ast.Attribute:
        return dotted_name(node)
    if kind is ast.Constant:
        value = node.value
        if value is None or type(value) in (bool, int):
            return repr(value)
        if type(value) is str and node.kind is None and value.isprintable() and not any(q in value for q in "'\"\\"):
            return f"'{value}'"
        return ""
    if kind is ast.Subscript:
        value, index = _simple(node.value), node.slice
        if type(index) is ast.Tuple and len(index.elts) > 1:
            inner = _all_simple(index.elts)
        else:
            inner = _simple(index) if type(index) is not ast.Tuple else ""
        return f"{value}[{inner}]" if value and inner else ""
    if kind is ast.BinOp and type(node.op) is ast.BitOr and type(node.right) is not ast.BinOp:
        left, right = _simple(node.left), _simple(node.right)
        return f"{left} | {right}" if left and right else ""
    if kind is ast.List:
        if not node.elts:
            return "[]"
        inner = _all_simple(node.elts)
        return f"[{inner}]" if inner else ""
    return ""


def _all_simple(nodes: list[ast.expr]) -> str:
    """The nodes' texts joined by ", ", or "" when any of them is not simple."""
    texts = [_simple(n) for n in nodes]
    return ", ".join(texts) if all(texts) else ""


def _short(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= _MAX_VALUE else value[: _MAX_VALUE - 3] + "..."


class _ModuleWalker:
    """Visits module- and class-level statements; function bodies are left to the signals pass."""

    def __init__(self, path: str, text: str):
        self.findings = Findings()
        self.text = text
        self.signals = PythonSignals(self.findings, path)
        self.from_imports: dict[str, set[str]] = {}
        self.public_docs: list[str] = []
        self.functions: dict[int, ast.FunctionDef | ast.AsyncFunctionDef] = {}

    def visit_body(self, body: list[ast.stmt], scope: str, in_class: bool) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                self.visit_class(node, scope)
            elif isinstance(node, _FUNCTIONS):
                self.visit_function(node, scope, in_class)
            elif isinstance(node, ast.Import):
                self.visit_import(node)
            elif isinstance(node, ast.ImportFrom):
                self.visit_import_from(node)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and not scope:
                self.visit_assignment(node)
            elif isinstance(node, ast.If):
                if not scope:
                    self.signals.module_if(node)
                self.visit_body(node.body + node.orelse, scope, in_class)
            elif isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
                handlers = [stmt for handler in node.handlers for stmt in handler.body]
                self.visit_body(node.body + handlers + node.orelse + node.finalbody, scope, in_class)
            elif isinstance(node, (ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While)):
                self.visit_body(node.body + getattr(node, "orelse", []), scope, in_class)

    def visit_class(self, node: ast.ClassDef, scope: str) -> None:
        name = f"{scope}.{node.name}" if scope else node.name
        bases = [expression_text(base) for base in node.bases]
        bases += [ast.unparse(keyword) for keyword in node.keywords]
        header = f"class {node.name}" + (f"({', '.join(bases)})" if bases else "")
        doc, doc_line = docstring_of(node)
        self.findings.symbol("class", name, node.lineno, header, first_doc_line(doc))
        self.findings.keyword("Classes", name)
        self.signals.class_def(name, node, bases)
        self.signals.definition(name, node, doc, doc_line)
        self._remember_public(scope, node.name, doc)
        self.visit_body(node.body, name, in_class=True)

    def visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: str, in_class: bool) -> None:
        # Why so direct: this runs for every function and method (52,000 in the standard library).
        short, line = node.name, node.lineno
        name = f"{scope}.{short}" if scope else short
        self.functions[line] = node
        doc, doc_line = docstring_of(node)
        summary = first_doc_line(doc) if doc else ""
        self.findings.symbol("method" if in_class else "function", name, line, signature(node), summary)
        self.findings.keyword("Methods" if in_class else "Functions", name)
        if doc or node.decorator_list:
            self.signals.definition(name, node, doc, doc_line)
        self.signals.function_def(name, node, in_class)
        self._remember_public(scope, short, doc)

    def _remember_public(self, scope: str, name: str, doc: str) -> None:
        if not scope and not name.startswith("_"):
            self.public_docs.append(doc)

    def visit_import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.findings.imports.add(alias.name + (f" as {alias.asname}" if alias.asname else ""))
            self.findings.keyword("Imports", alias.name)
            self.signals.imported(alias.name, node.lineno)

    def visit_import_from(self, node: ast.ImportFrom) -> None:
        if node.module == "__future__":  # a compiler directive, not a dependency
            return
        module = "." * node.level + (node.module or "")
        names = self.from_imports.setdefault(module, set())
        for alias in node.names:
            names.add(alias.name + (f" as {alias.asname}" if alias.asname else ""))
            # `from .. import functional` imports the module `..functional`
            self.findings.keyword("Imports", module if node.module else module + alias.name)
        if node.module:
            self.signals.imported(node.module, node.lineno, [alias.name for alias in node.names])

    def visit_assignment(self, node: ast.Assign | ast.AnnAssign | ast.AugAssign) -> None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if not isinstance(target, ast.Name):
                continue
            if target.id == "__all__":
                self.visit_all(node)
            elif CONSTANT_NAME.match(target.id) and node.value is not None:
                self.visit_constant(target.id, node)

    def visit_all(self, node: ast.Assign | ast.AnnAssign | ast.AugAssign) -> None:
        if isinstance(node.value, (ast.List, ast.Tuple)):
            names = [e.value for e in node.value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            self.findings.keyword("Exports", *names)
            self.signals.exports(len(names), node.lineno)

    def visit_constant(self, name: str, node: ast.Assign | ast.AnnAssign | ast.AugAssign) -> None:
        if isinstance(node, ast.AugAssign) or name in self.findings.keywords.get("Constants", ()):
            return
        annotation = f": {ast.unparse(node.annotation)}" if isinstance(node, ast.AnnAssign) else ""
        value = _short(ast.unparse(node.value))
        self.findings.symbol("constant", name, node.lineno, f"{name}{annotation} = {value}")
        self.findings.keyword("Constants", name)

    def finish(self, tree: ast.Module, risky: set[int]) -> None:
        """Merge from-imports per module, then purpose and file-level signals (`risky`: lines to look at)."""
        for module, names in self.from_imports.items():
            self.findings.imports.add(f"from {module} import {', '.join(sorted(names))}")
        doc, doc_line = docstring_of(tree)
        if doc_line:
            self.signals.definition("", tree, doc, doc_line)
        self.findings.purpose = self._purpose(doc)
        self.signals.finish(tree, risky)

    def _purpose(self, module_doc: str) -> str:
        """Module docstring, else the leading comment, else the docstring of its one public definition."""
        purpose = docstring_purpose(module_doc) or comment_purpose(leading_comment(self.text, "hash"))
        if not purpose and len(self.public_docs) == 1:
            purpose = docstring_purpose(self.public_docs[0])
        return purpose
