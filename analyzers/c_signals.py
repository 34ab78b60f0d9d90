"""Notes and patterns of C, C++ and CUDA code, found by regular expressions over its text."""

from __future__ import annotations

import re

from analyzers.findings import Findings, note_test_file
from analyzers.textutil import LineIndex, line_list


def _words(*words: str, before: str = r"\w") -> str:
    """Any of `words`, not preceded by a `before` character: `\bword` written so that the regex
    starts with the word itself. Why: a leading `\b` or lookbehind makes the engine try every
    position of the text, where a leading literal is found by a fast scan (some 30 times faster)."""
    return "(?:" + "|".join(f"{word}(?<!{before}{word})" for word in words) + ")"


# (category, literal needles, regex, message with {0} = the matched text). Why the needles:
# one `in` test per needle is far cheaper than running every regex over every file.
_RULES: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    ("performance", ("<<<",), r"<<<[^;]*?>>>", "Launches a CUDA kernel with `{0}`."),
    ("performance", ("gpu_kernel",), _words("gpu_kernel") + r"\w*\s*\(", "Launches a GPU kernel through `{0}`."),
    ("performance", ("pragma",), r"#\s*pragma\s+omp\b[^\n]*", "OpenMP parallel region: `{0}`."),
    (
        "performance",
        ("std::thread", "std::async", "std::jthread"),
        _words("std::") + r"(?:thread|async|jthread)\b",
        "Starts threads with `{0}`.",
    ),
    (
        "performance",
        ("parallel_for",),
        r"(?:at::(?<!\wat::)parallel_for|" + _words("parallel_for") + r")\s*\(",
        "Splits work across threads with `{0}`.",
    ),
    ("performance", ("__syncthreads",), _words("__syncthreads") + r"\s*\(\)", "Synchronizes GPU threads with `{0}`."),
    (
        "performance",
        ("atomic",),
        _words("atomic") + r"(?:Add|CAS|Max|Min|Exch)\b",
        "Uses the GPU atomic `{0}`: contended updates serialize.",
    ),
    (
        "security",
        ("strc", "sprintf", "gets(", "gets (", "gets\t", "gets\n"),
        _words("strcpy", "strcat", "sprintf", "vsprintf", "gets") + r"\s*\(",
        "Calls `{0}`, which does not check the destination size.",
    ),
    (
        "security",
        ("memcpy", "memmove", "memset"),
        r"(?:std::(?<!\wstd::)(?:memcpy|memmove|memset)|" + _words("memcpy", "memmove", "memset") + r")\s*\(",
        "Raw memory operation `{0}`: sizes must come from checked values.",
    ),
    ("security", ("reinterpret_cast",), _words("reinterpret_cast") + r"\s*<[^>;]*>", "Reinterprets memory with `{0}`."),
    (
        "security",
        ("system(", "system ", "system\t", "system\n", "popen"),
        r"(?:std::(?<![\w.:]std::)(?:system|popen)|" + _words("system", "popen", before=r"[\w.:]") + r")\s*\(",
        "Runs a shell command with `{0}`.",
    ),
    (
        "testing",
        ("TEST",),
        _words("TEST", "TEST_F", "TEST_P", "TYPED_TEST") + r"\s*\([^)\n]*\)",
        "GoogleTest case `{0}`.",
    ),
)
_COMPILED = tuple((category, needles, re.compile(regex), message) for category, needles, regex, message in _RULES)
_TEST_FOLDERS = {"test", "tests", "testing", "unittests"}
_DISPATCH = re.compile(r"\b(DECLARE|DEFINE|REGISTER(?:_\w+)?)_DISPATCH\s*\(\s*([^;]*?)\s*\)\s*;")
_DTYPE_DISPATCH = re.compile(r"\bAT_DISPATCH_\w+")
_CHECKS = re.compile(r"\b(?:TORCH_CHECK|TORCH_INTERNAL_ASSERT|AT_ASSERT)\w*\s*\(")
_DISPATCH_VERBS = {
    "DECLARE": "Declares the dispatch stub `{stub}` ({macro}, line {line}).",
    "DEFINE": "Defines the dispatch stub `{stub}` ({macro}, line {line}).",
}


def scan_signals(findings: Findings, path: str, text: str, lines: LineIndex, overloads: dict[str, list[int]]) -> None:
    """Line-tied notes and file-level patterns, from regular expressions over the whole text."""
    before = len(findings.notes)
    note_test_file(findings, path)
    if len(findings.notes) == before and _TEST_FOLDERS.intersection(path.split("/")[:-1]):
        findings.note("testing", 0, "Test file: it lives in a test folder.")
    for category, needles, regex, message in _COMPILED:
        if not any(needle in text for needle in needles):
            continue
        for match in regex.finditer(text):
            if not _in_line_comment(text, match.start()):
                shown = " ".join(match.group(0).split())
                shown = shown[:-1].rstrip() + "()" if shown.endswith("(") else shown
                findings.note(category, lines.line(match.start()), message.format(shown))
    if "_DISPATCH" in text:
        _dispatch_patterns(findings, text, lines)
    for name, where in sorted(overloads.items()):
        findings.cite("Overloads", f"`{name}` ({line_list(where)})")
    if "TORCH_CHECK" in text or "_ASSERT" in text:
        checks = [lines.line(m.start()) for m in _CHECKS.finditer(text) if not _in_line_comment(text, m.start())]
        if checks:
            findings.pattern(f"Validates arguments with `TORCH_CHECK`-style assertions ({line_list(checks)}).")


def _dispatch_patterns(findings: Findings, text: str, lines: LineIndex) -> None:
    """PyTorch's dispatch-stub registration and dtype dispatch macros."""
    for match in _DISPATCH.finditer(text):
        verb, args = match.group(1), " ".join(match.group(2).split())
        stub = args.rsplit(",", 1)[-1].strip() if verb == "DECLARE" else args.split(",", 1)[0].strip()
        findings.keyword("Dispatch Stubs", stub)
        line = lines.line(match.start())
        template = _DISPATCH_VERBS.get(
            verb, "Registers a kernel for the dispatch stub `{stub}`: `{call}` (line {line})."
        )
        call = f"{verb}_DISPATCH({args})"
        findings.pattern(template.format(stub=stub, macro=f"`{verb}_DISPATCH`", line=line, call=call))
    for match in _DTYPE_DISPATCH.finditer(text):
        findings.cite(
            "Dispatches over dtypes with `AT_DISPATCH_*`", f"`{match.group(0)}` (line {lines.line(match.start())})"
        )


def _in_line_comment(text: str, offset: int) -> bool:
    start = text.rfind("\n", 0, offset) + 1
    return "//" in text[start:offset] or text[start:offset].lstrip().startswith("*")
