"""CMake scripts read as a list of commands: targets, variables, includes, subdirectories."""

from __future__ import annotations

import re

from analyzers.findings import Findings
from analyzers.languages import LanguageSpec
from analyzers.textutil import LineIndex, comment_purpose, leading_comment

_COMMAND = re.compile(r"^[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*\(", re.M)
_PAREN_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|#[^\n]*|[()]')
_ARGUMENT = re.compile(r'"(?:[^"\\]|\\.)*"|[^\s"]+')
_VARIABLE_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_GENERATOR_EXPR = re.compile(r"\$<([A-Z_]+):")
_FAST_FLAGS = re.compile(r"(?<![\w-])(-O3|-Ofast|-ffast-math|-march=native|-fopenmp|/O2|/Ox)\b")
_CONTROL = {
    "if", "elseif", "else", "endif", "foreach", "endforeach", "while", "endwhile", "function",
    "endfunction", "macro", "endmacro", "return", "break", "continue", "block", "endblock",
}  # fmt: skip
_IF_WORDS = {
    "AND", "OR", "NOT", "DEFINED", "EXISTS", "STREQUAL", "MATCHES", "EQUAL", "LESS", "GREATER",
    "VERSION_LESS", "VERSION_GREATER", "VERSION_EQUAL", "VERSION_GREATER_EQUAL", "VERSION_LESS_EQUAL",
    "TARGET", "COMMAND", "POLICY", "IS_DIRECTORY", "IN_LIST", "TRUE", "FALSE", "ON", "OFF",
}  # fmt: skip
_PLATFORMS = {"MSVC", "WIN32", "APPLE", "UNIX", "ANDROID", "IOS", "CYGWIN", "MINGW", "LINUX"}
_TEST_DIRS = {"test", "tests", "testing"}


def commands(text: str):
    """(offset, name, arguments) of each command; arguments keep quotes and lose comments."""
    resume = 0
    for match in _COMMAND.finditer(text):
        if match.start() < resume:
            continue  # a line inside the previous command's arguments
        depth, end = 1, len(text)
        for token in _PAREN_TOKEN.finditer(text, match.end()):
            value = token.group(0)
            depth += 1 if value == "(" else -1 if value == ")" else 0
            if depth == 0:
                end = token.start()
                break
        resume = end
        body = (
            re.sub(r"(?m)#[^\n]*$", "", text[match.end() : end])
            if "#" in text[match.end() : end]
            else text[match.end() : end]
        )
        yield match.start(), match.group(1), _ARGUMENT.findall(body)


def _brief(command: str, args: list[str], limit: int = 60) -> str:
    """`set(SRCS a.cpp b.cpp ...)`: the command with as many whole arguments as fit."""
    shown: list[str] = []
    for arg in args:
        if shown and len(" ".join([*shown, arg])) > limit:
            return f"{command}({' '.join(shown)} ...)"
        shown.append(arg)
    return f"{command}({' '.join(shown)})"


def analyze(path: str, text: str, spec: LanguageSpec) -> Findings:
    """Commands, targets, variables and includes; notes for tests, downloads and fast-math flags."""
    findings = Findings(purpose=comment_purpose(leading_comment(text, "hash")))
    lines = LineIndex(text)
    script = _Script(findings)
    for offset, name, args in commands(text):
        script.command(lines.line(offset), name, args)
    findings.keyword("Variables", *_VARIABLE_REF.findall(text))
    script.drop_locals()
    expressions = sorted(set(_GENERATOR_EXPR.findall(text)))
    if expressions:
        findings.pattern("Uses generator expressions: " + ", ".join(f"`$<{e}:…>`" for e in expressions) + ".")
    for match in _FAST_FLAGS.finditer(text):
        findings.note(
            "performance",
            lines.line(match.start()),
            f"Compiler flag `{match.group(1)}` trades portability or precision for speed.",
        )
    return findings


class _Script:
    """Turns one command at a time into symbols, keywords, notes and patterns."""

    def __init__(self, findings: Findings):
        self.findings = findings
        self.defined: set[str] = set()
        self.body = ""  # the function or macro whose body the commands are in, "" at file scope
        self.local: set[str] = set()  # parameters, loop and set() variables of function and macro bodies

    def command(self, line: int, name: str, written: list[str]) -> None:
        """Route one command to what it defines or uses; `written` keeps the quotes of its arguments."""
        lower = name.lower()
        args = [arg.strip('"') for arg in written]
        if lower not in _CONTROL:
            self.findings.keyword("Commands", lower)
        first = args[0] if args else ""
        if lower in ("endfunction", "endmacro"):
            self.body = ""
        if lower.endswith(("add_library", "add_executable", "add_custom_target")) and first:
            self.target(line, name, first)
        elif lower.startswith("target_") or lower == "set_target_properties":
            self.findings.keyword("Targets", first)
        elif lower in ("set", "option") and first:
            if self.body and "CACHE" not in args and "PARENT_SCOPE" not in args:
                self.local.add(first)  # local to the function (or to the macro's caller): not file scope
                return
            self.variable(line, "option" if lower == "option" else "variable", first, _brief(name, written))
        elif lower == "list" and len(args) > 1:
            self.findings.keyword("Variables", args[1])
        elif lower in ("function", "macro") and first:
            self.body = first
            self.local.update(args[1:])
            self.findings.symbol(lower, first, line, f"{name}({' '.join(written)})")
            self.findings.keyword("Functions" if lower == "function" else "Macros", first)
        else:
            self.other(line, lower, args, written)

    def drop_locals(self) -> None:
        """Variables only ever set inside function and macro bodies are not the file's variables."""
        variables = self.findings.keywords.get("Variables")
        if variables:
            variables -= self.local - self.defined

    def target(self, line: int, command: str, target: str) -> None:
        self.findings.symbol("target", target, line, f"{command}({target} ...)")
        self.findings.keyword("Targets", target)
        self.findings.cite("Defines build targets", f"`{target}` with `{command}` (line {line})")

    def variable(self, line: int, kind: str, name: str, written: str) -> None:
        if "${" in name:  # `set(${VAR} ... PARENT_SCOPE)`: the name is only known when it runs
            return
        self.findings.keyword("Options" if kind == "option" else "Variables", name)
        if name not in self.defined:
            self.defined.add(name)
            self.findings.symbol(kind, name, line, written)

    def other(self, line: int, lower: str, args: list[str], written: list[str]) -> None:
        first = args[0] if args else ""
        if lower == "include" and first:
            self.findings.imports.add(first)
            self.findings.keyword("Includes", first)
        elif lower == "find_package" and first:
            self.findings.imports.add(f"find_package({first})")
            self.findings.keyword("Packages", first)
        elif lower == "add_subdirectory" and first:
            self.findings.keyword("Subdirectories", first)
            if first.rstrip("/").rsplit("/", 1)[-1] in _TEST_DIRS:
                self.findings.note("testing", line, f"Builds the tests in `{first}/` (`add_subdirectory({first})`).")
        elif lower == "foreach" and first and self.body:
            self.local.add(first)
        elif lower in ("if", "elseif"):
            self.condition(line, lower, args, written)
        else:
            self.action(line, lower, args, written)

    def condition(self, line: int, lower: str, args: list[str], written: list[str]) -> None:
        names = [a.strip("${}") for a in args if a.strip("${}") and a.strip("${}") not in _IF_WORDS]
        self.findings.keyword("Variables", *(n for n in names if re.fullmatch(r"[A-Z][A-Z0-9_]+", n)))
        if _PLATFORMS & set(names):
            self.findings.cite("Platform-specific branches", f"`{lower}({' '.join(written)})` (line {line})")

    def action(self, line: int, lower: str, args: list[str], written: list[str]) -> None:
        if lower == "configure_file" and len(args) > 1:
            self.findings.cite("Generates files with `configure_file`", f"`{args[1].rsplit('/', 1)[-1]}` (line {line})")
        elif lower == "install" and args[:1] == ["TARGETS"]:
            self.findings.cite("Installs targets", f"`install({' '.join(written)})` (line {line})")
        elif lower == "execute_process":
            self.findings.note("security", line, "Runs an external program at configure time (`execute_process`).")
        elif lower == "file" and args[:1] == ["DOWNLOAD"]:
            checked = "EXPECTED_HASH" in args or "EXPECTED_MD5" in args
            detail = "with a hash check" if checked else "without `EXPECTED_HASH`"
            self.findings.note("security", line, f"Downloads at configure time (`file(DOWNLOAD)`), {detail}.")
        elif lower in ("enable_testing", "add_test", "gtest_discover_tests", "catch_discover_tests"):
            self.findings.note("testing", line, f"Registers tests with CTest (`{lower}`).")
