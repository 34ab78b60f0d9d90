"""Performance, security and testing notes and code patterns of a Python module."""

from __future__ import annotations

import ast
import posixpath
from bisect import bisect_left
from collections.abc import Iterator

from analyzers.findings import Findings, note_test_file

_CONCURRENCY = {
    "threading": "threads",
    "multiprocessing": "processes",
    "concurrent.futures": "thread or process pools",
    "asyncio": "an event loop",
    "torch.multiprocessing": "processes",
}
_MEMOISERS = {"lru_cache", "cache", "cached_property"}
_COMPILERS = {"torch.jit.script", "torch.compile", "torch.jit.trace", "numba.jit", "numba.njit", "njit"}
_DESERIALIZERS = {
    f"{module}.{func}" for module in ("pickle", "cPickle", "_pickle", "dill", "marshal") for func in ("load", "loads")
}
_HTTP_MODULES = {"requests", "httpx", "urllib3", "aiohttp"}
# Calls whose `verify=False` turns TLS certificate checks off; elsewhere `verify` means other things.
_HTTP_CALLS = {
    *("get", "post", "put", "patch", "delete", "head", "options", "request", "send", "stream", "urlopen"),
    *("Session", "Client", "AsyncClient", "ClientSession", "PoolManager"),
}
_SUBPROCESS = {"run", "call", "check_call", "check_output", "Popen", "getoutput", "getstatusoutput"}
# Why: walking every expression costs as much as parsing; str.find says where to look.
_RISKY_NEEDLES = ("eval(", "exec(", "os.system(", "os.popen(", "shell=True", "verify=False")
# The loaders _call_risk knows (`pickle.load`, `torch.load(`, ...), found by one scan for `.load`:
# the name written before it, and what must follow it.
_LOADERS = (("pickle", ""), ("marshal", ""), ("dill", ""), ("torch", "("), ("yaml", "("))


def dotted_name(node: ast.AST) -> str:
    """ "os.path.join" for an attribute chain on a name, "" for anything else."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    parts.append(node.id)
    return ".".join(reversed(parts))


def _is_true(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


class PythonSignals:
    """Collects notes and patterns while the module walker visits definitions."""

    def __init__(self, findings: Findings, path: str):
        self.findings = findings
        self.path = path
        self.tests: list[int] = []
        self.methods: dict[str, set[str]] = {}

    def imported(self, module: str, line: int, names: list[str] | tuple = ()) -> None:
        for candidate in (module, *(f"{module}.{name}" for name in names)):
            if candidate in _CONCURRENCY:
                self.findings.note(
                    "performance",
                    line,
                    f"Imports `{candidate}`: work may run concurrently in {_CONCURRENCY[candidate]}.",
                )

    def class_def(self, name: str, node: ast.ClassDef, bases: list[str]) -> None:
        for base in bases:
            if base.startswith("metaclass="):
                self.findings.cite(f"Metaclass `{base.removeprefix('metaclass=')}`", f"`{name}` (line {node.lineno})")
            elif "=" not in base and base != "object":
                self.findings.cite(f"Subclasses `{base}`", f"`{name}` (line {node.lineno})")
            if base.endswith("TestCase"):
                self.findings.note("testing", node.lineno, f"`{name}` is a `unittest` test case (subclasses `{base}`).")

    def definition(self, name: str, node: ast.AST, doc: str, doc_line: int) -> None:
        """Decorators and docstring of a class, function or (with name "") the module."""
        if ">>>" in doc:
            owner = f"Docstring of `{name}`" if name else "The module docstring"
            self.findings.note("testing", doc_line, f"{owner} has doctest examples (`>>>`).")
        for decorator in getattr(node, "decorator_list", ()):
            self.decorator(name, decorator)

    def decorator(self, name: str, decorator: ast.expr) -> None:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        dotted = dotted_name(target) or ast.unparse(target)
        self.findings.cite(f"Decorator `@{dotted}`", f"`{name}` (line {decorator.lineno})")
        if dotted.rsplit(".", 1)[-1] in _MEMOISERS:
            how = "memoised"
        elif dotted in _COMPILERS:
            how = "compiled"
        else:
            return  # why: unparsing every decorator costs more than the two notes that quote one
        self.findings.note("performance", decorator.lineno, f"`{name}` is {how} with `@{ast.unparse(decorator)}`.")

    def function_def(self, name: str, node: ast.FunctionDef | ast.AsyncFunctionDef, in_class: bool) -> None:
        short = node.name
        if short.startswith("test"):
            self.tests.append(node.lineno)
        if in_class:
            self.methods.setdefault(name.rsplit(".", 1)[0], set()).add(short)
        elif short == "__getattr__":
            self.findings.pattern(
                f"Module-level `__getattr__` (PEP 562) provides attributes lazily (line {node.lineno})."
            )

    def exports(self, count: int, line: int) -> None:
        noun = "name" if count == 1 else "names"
        self.findings.pattern(f"Declares its public API in `__all__` ({count} {noun}, line {line}).")

    def module_if(self, node: ast.If) -> None:
        test = ast.unparse(node.test)
        if "__name__" in test and "__main__" in test:
            self.findings.note("testing", node.lineno, f"Runs as a script: `if {test}:` block.")
        elif test in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            self.findings.pattern(f"Imports for type checkers only under `if {test}:` (line {node.lineno}).")

    def finish(self, tree: ast.Module, risky: set[int]) -> None:
        """File-level notes and patterns, and risky calls on the `risky` lines (see `risky_offsets`)."""
        self._file_name()
        if self.tests:
            count = len(self.tests)
            self.findings.note(
                "testing", self.tests[0], f"Defines {count} test function{'s' if count > 1 else ''} (`test*`)."
            )
        for owner, methods in self.methods.items():
            if {"__enter__", "__exit__"} <= methods:
                self.findings.cite("Context managers (`__enter__`/`__exit__`)", f"`{owner}`")
            if {"__iter__", "__next__"} <= methods:
                self.findings.cite("Iterators (`__iter__`/`__next__`)", f"`{owner}`")
        for node in nodes_starting_on(tree, sorted(risky), ast.Call):
            self.call(node)

    def _file_name(self) -> None:
        name = posixpath.basename(self.path)
        if name == "conftest.py":
            self.findings.note(
                "testing", 0, "pytest configuration: `conftest.py` shares fixtures with the tests beside it."
            )
        else:
            note_test_file(self.findings, self.path)

    def call(self, node: ast.Call) -> None:
        """A security note for a risky call such as `subprocess.run(..., shell=True)`."""
        name = dotted_name(node.func)
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        message = _call_risk(name, keywords, node)
        if message:
            self.findings.note("security", node.lineno, message)
        verify = keywords.get("verify")
        if isinstance(verify, ast.Constant) and verify.value is False and _is_tls_call(node.func):
            self.findings.note(
                "security", node.lineno, f"`{name or 'call'}(..., verify=False)` disables TLS certificate checks."
            )


def risky_offsets(text: str) -> list[int]:
    """Where a risky call may be, in ascending order; the AST then decides."""
    offsets = []
    for needle in _RISKY_NEEDLES:
        found = text.find(needle)
        while found >= 0:
            offsets.append(found)
            found = text.find(needle, found + 1)
    found = text.find(".load")
    while found >= 0:
        for name, after in _LOADERS:
            start = found - len(name)
            if start >= 0 and text.startswith(name, start) and text.startswith(after, found + 5):
                offsets.append(start)
        found = text.find(".load", found + 1)
    return sorted(offsets)


def lines_at(text: str, offsets: list[int]) -> set[int]:
    """The line numbers of ascending offsets."""
    lines: set[int] = set()
    line, counted = 1, 0
    for offset in offsets:
        line += text.count("\n", counted, offset)
        counted = offset
        lines.add(line)
    return lines


def nodes_starting_on(tree: ast.AST, lines: list[int], kind: type | tuple[type, ...]) -> Iterator:
    """The nodes of `kind` that start on one of `lines` (ascending).

    Only nodes whose lines (decorators included) span one of them are entered; why: a full walk
    of the tree costs as much as the parse.
    """
    if not lines:
        return
    wanted = set(lines)
    stack = [tree]
    while stack:
        for child in ast.iter_child_nodes(stack.pop()):
            start = getattr(child, "lineno", None)
            if start is not None:
                decorators = getattr(child, "decorator_list", None)
                index = bisect_left(lines, decorators[0].lineno if decorators else start)
                if index == len(lines) or lines[index] > (child.end_lineno or start):
                    continue
                if isinstance(child, kind) and start in wanted:
                    yield child
            stack.append(child)


def _is_tls_call(func: ast.expr) -> bool:
    """`requests.get`, `session.post`, `httpx.Client`, `cert_verify`: calls whose `verify=` is a TLS switch."""
    last = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if last in _HTTP_CALLS or any(word in last.lower() for word in ("cert", "ssl", "tls")):
        return True
    return dotted_name(func).partition(".")[0] in _HTTP_MODULES


def _call_risk(name: str, keywords: dict[str, ast.expr], node: ast.Call) -> str:
    """The security sentence for a risky call, "" for a harmless one."""
    if name in ("eval", "exec"):
        return f"Calls `{name}()`, which runs dynamically built code."
    if name in ("os.system", "os.popen"):
        return f"Runs a shell command with `{name}()`."
    if name.startswith("subprocess.") and name.rsplit(".", 1)[1] in _SUBPROCESS and _is_true(keywords.get("shell")):
        return f"Runs `{name}(..., shell=True)`: the command line is interpreted by the shell."
    if name in _DESERIALIZERS:
        return f"Deserializes with `{name}()`, which can execute code hidden in untrusted data."
    if name == "torch.load" and not _is_true(keywords.get("weights_only")):
        return "`torch.load()` without `weights_only=True` unpickles arbitrary objects."
    if name == "yaml.load":
        loader = keywords.get("Loader") or (node.args[1] if len(node.args) > 1 else None)
        if loader is None or "Safe" not in ast.unparse(loader):
            return "`yaml.load()` without a safe loader can construct arbitrary Python objects."
    return ""
