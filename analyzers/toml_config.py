"""TOML through the standard library's tomllib: tables and keys; for pyproject.toml the project itself."""

from __future__ import annotations

import posixpath
import re
import tomllib

from analyzers.findings import AnalysisDegraded, Findings
from analyzers.languages import LanguageSpec
from analyzers.textutil import LineIndex, comment_purpose, leading_comment

_KEY = r"""(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')"""
_HEADER = re.compile(rf"^[ \t]*(\[\[?)[ \t]*({_KEY}(?:[ \t]*\.[ \t]*{_KEY})*)[ \t]*\]\]?[ \t]*(?:#[^\n]*)?$", re.M)
_ROOT_KEY = re.compile(r"^[ \t]*([A-Za-z0-9_-]+|\"[^\"\n]+\")[ \t]*=", re.M)
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?")


def analyze(path: str, text: str, spec: LanguageSpec) -> Findings:
    """Every table with its line, the keys of the root table, and pyproject's project facts."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AnalysisDegraded(f"TOML parse failed ({exc}); showing a lexical analysis") from exc
    findings = Findings(purpose=comment_purpose(leading_comment(text, "hash")))
    lines = LineIndex(text)
    for match in _HEADER.finditer(text):
        name = ".".join(part.strip().strip("\"'") for part in match.group(2).split("."))
        kind = "array of tables" if match.group(1) == "[[" else ""
        findings.symbol("table", name, lines.line(match.start()), _header(match.group(1), name), kind)
        findings.keyword("Tables", name)
    first_table = _HEADER.search(text)
    root = text[: first_table.start()] if first_table else text
    for match in _ROOT_KEY.finditer(root):
        key = match.group(1).strip('"')
        written = " ".join(root[match.start() :].split("\n", 1)[0].split())
        findings.symbol("key", key, lines.line(match.start()), written)
        findings.keyword("Keys", key)
    if posixpath.basename(path) == "pyproject.toml":
        _pyproject(findings, data)
    findings.symbols.sort(key=lambda symbol: symbol.line)
    return findings


def _header(bracket: str, name: str) -> str:
    return f"[[{name}]]" if bracket == "[[" else f"[{name}]"


def _pyproject(findings: Findings, data: dict) -> None:
    """The project's name, dependencies, scripts, build backend and tool sections."""
    project = data.get("project") if isinstance(data.get("project"), dict) else _poetry_project(data)
    name = project.get("name")
    if isinstance(name, str):
        findings.keyword("Project", name)
        description = project.get("description")
        findings.purpose = findings.purpose or (
            f"Packaging metadata of `{name}`" + (f": {description}" if isinstance(description, str) else ".")
        )
    findings.keyword("Dependencies", *_requirements(project.get("dependencies")))
    extras = project.get("optional-dependencies")
    if isinstance(extras, dict):
        for extra, requirements in sorted(extras.items()):
            findings.keyword("Optional Dependencies", *(f"{r} ({extra})" for r in _requirements(requirements)))
    for table in ("scripts", "gui-scripts"):
        scripts = project.get(table)
        if isinstance(scripts, dict):
            findings.keyword("Scripts", *scripts)
            for script, target in sorted(scripts.items()):
                findings.cite("Installs commands", f"`{script}` → `{target}`")
    urls = project.get("urls")
    if isinstance(urls, dict):
        findings.keyword("Links", *(url for url in urls.values() if isinstance(url, str)))
    tools = data.get("tool")
    if isinstance(tools, dict):
        findings.keyword("Tools", *tools)
    build = data.get("build-system")
    if isinstance(build, dict) and isinstance(build.get("build-backend"), str):
        findings.pattern(f"Builds with `{build['build-backend']}`.")


def _poetry_project(data: dict) -> dict:
    """`[tool.poetry]` in the shape of PEP 621's `[project]`: name, description, dependencies, scripts."""
    tool = data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    if not isinstance(poetry, dict):
        return {}
    dependencies = poetry.get("dependencies")
    names = [name for name in dependencies if name != "python"] if isinstance(dependencies, dict) else []
    return {**poetry, "dependencies": names}


def _requirements(requirements) -> list[str]:
    """Distribution names of PEP 508 requirement strings: `Jinja2>=3.1,<4` -> `Jinja2`."""
    if not isinstance(requirements, list):
        return []
    names = []
    for requirement in requirements:
        match = _REQUIREMENT.match(requirement) if isinstance(requirement, str) else None
        if match:
            names.append(match.group(1))
    return names
