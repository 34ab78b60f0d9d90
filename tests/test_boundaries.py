"""The architecture's boundaries, read off the source: layers, the one git module, the one GitHub module,
a pure engine, no import cycles; and the web process loads neither the GitHub nor the git code."""

from __future__ import annotations

import ast
import gc
import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Package -> the packages (of bot/, and analyzers) it may import. Each layer imports only from below.
BASE = {"bot.config", "bot.errors"}
ALLOWED = {
    "analyzers": {"analyzers"},
    "bot.errors": set(),
    "bot.config": {"bot.errors"},
    "bot.app": BASE | {"bot.app"},
    "bot.github": BASE | {"bot.github"},
    "bot.engine": BASE | {"bot.engine", "analyzers"},
    "bot.repo": BASE | {"bot.repo", "bot.engine", "analyzers"},
    "bot.local": BASE | {"bot.local", "bot.repo", "bot.engine", "analyzers"},
    "bot.pr": BASE | {"bot.pr", "bot.repo", "bot.engine", "bot.github", "bot.app", "analyzers"},
    "bot.cli": {"bot", "analyzers"},
    "bot.wsgi": {"bot.app"},
}
GIT_MODULE = "bot.repo.git"
GITHUB_MODULE = "bot.github.client"
GIT_LIBRARIES = {"git", "gitdb", "subprocess"}
HTTP_LIBRARIES = {"github", "requests", "urllib3", "urllib.request", "http.client", "httpx", "aiohttp"}
# What a pure layer may not touch: files, processes, sockets, and process-wide switches.
IMPURE_MODULES = {"os", "io", "pathlib", "shutil", "tempfile", "subprocess", "socket", "signal", "gc", "warnings",
                  "multiprocessing", "sqlite3", "logging", "sys", "urllib.request", "http", "requests", "git"}
IMPURE_CALLS = {"open", "print", "input", "exec", "eval", "breakpoint"}
PURE = ("analyzers", "bot.engine")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted([*ROOT.glob("bot/**/*.py"), *ROOT.glob("analyzers/**/*.py")])}


def imports_of(path: Path, *, runtime_only: bool = False) -> set[str]:
    """Every module `path` imports, at any depth (lazy imports count); `runtime_only` skips TYPE_CHECKING blocks."""
    tree = ast.parse(path.read_text(), str(path))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if runtime_only and isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - child.level + 1] + [base]).strip(".")
                found.add(base)
                found.update(f"{base}.{alias.name}" for alias in child.names if f"{base}.{alias.name}" in MODULES)
            visit(child)

    visit(tree)
    return found


def owner(module: str) -> str:
    """The entry of ALLOWED a module belongs to (its longest prefix)."""
    return max((key for key in ALLOWED if module == key or module.startswith(key + ".")), key=len)


def in_package(module: str, packages: set[str]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def layer_violations() -> list[str]:
    found = []
    for module, path in MODULES.items():
        if module in ("bot", "analyzers"):
            continue
        allowed = ALLOWED[owner(module)]
        for imported in imports_of(path):
            ours = imported.startswith(("bot.", "analyzers"))  # `bot` itself holds only __version__
            if ours and not in_package(imported, allowed):
                found.append(f"{module} imports {imported}")
    return found


def test_each_layer_imports_only_from_the_layers_below_it():
    assert layer_violations() == []


def test_only_one_module_runs_git():
    users = {m for m, p in MODULES.items() if {i.split(".")[0] for i in imports_of(p)} & GIT_LIBRARIES}
    assert users == {GIT_MODULE}


def test_only_one_module_talks_http_to_github():
    users = {m for m, p in MODULES.items() if any(in_package(i, HTTP_LIBRARIES) for i in imports_of(p))}
    assert users == {GITHUB_MODULE}


def impurities(module: str, path: Path) -> list[str]:
    found = [f"{module} imports {i}" for i in imports_of(path) if in_package(i, IMPURE_MODULES)]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in IMPURE_CALLS:
            found.append(f"{module} calls {node.func.id}() on line {node.lineno}")
    return found


def test_the_engine_and_the_analyzers_do_no_io_and_touch_no_process_state():
    assert [f for m, p in MODULES.items() if m.startswith(PURE) for f in impurities(m, p)] == []


def import_cycles() -> list[list[str]]:
    """Strongly connected components of more than one module in the runtime import graph (Tarjan)."""
    graph = {m: {i for i in imports_of(p, runtime_only=True) if i in MODULES and i != m} for m, p in MODULES.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return cycles


def test_there_are_no_import_cycles():
    assert import_cycles() == []


def test_the_web_process_loads_neither_the_github_client_nor_git(tmp_path):
    probe = (
        "import json, sys; import bot.wsgi; "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('github', 'git', 'gitdb') "
        "or m.startswith(('bot.pr', 'bot.repo', 'bot.github', 'bot.engine', 'bot.local')))))"
    )
    env = {"GITHUB_WEBHOOK_SECRET": "s", "DOCBOT_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


@pytest.mark.parametrize("fixture", ["pytorch", "seed-format"])
def test_analyzing_real_files_leaves_gc_and_warning_filters_as_they_were(fixture):
    from analyzers import analyze_source

    before = (gc.isenabled(), gc.get_threshold(), list(warnings.filters))
    for path in sorted((ROOT / "tests" / "fixtures" / fixture).rglob("*")):
        if path.is_file():
            analyze_source(str(path.relative_to(ROOT)), path.read_bytes())
            assert (gc.isenabled(), gc.get_threshold(), list(warnings.filters)) == before, path


def test_no_module_of_bot_is_much_longer_than_300_lines():
    long = {m: n for m, p in MODULES.items() if m.startswith("bot") and (n := len(p.read_text().splitlines())) > 320}
    assert long == {}
