"""YAML read line by line: top-level keys, list entries, all keys; nothing is constructed."""

from __future__ import annotations

import re

from analyzers.findings import Findings
from analyzers.languages import LanguageSpec
from analyzers.textutil import comment_purpose, leading_comment

_TOP_KEY = re.compile(r"^([A-Za-z_][\w.-]*|\"[^\"]+\"|'[^']+')\s*:(?:\s|$)")
_ANY_KEY = re.compile(r"^\s*(?:-\s+)*([A-Za-z_][\w.-]*)\s*:(?:\s|$)")
_ENTRY = re.compile(r"^-\s+([A-Za-z_][\w.-]*)\s*:\s*([A-Za-z_][\w.]*)\s*(?:\(|$)")
_BLOCK_SCALAR = re.compile(r":\s*[|>][+-]?\d*\s*(?:#.*)?$")
_ANCHOR = re.compile(r"(?:^|\s)&([\w-]+)")
_UNSAFE_TAG = re.compile(r"!!python/\w+")
# Keys are listed, not every value: cap the group for generated files.
MAX_KEYS = 200


def analyze(path: str, text: str, spec: LanguageSpec) -> Findings:
    """Structure and keys of a YAML file, without constructing any object."""
    findings = Findings(purpose=comment_purpose(leading_comment(text, "hash")))
    entry_keys: dict[str, int] = {}
    keys: dict[str, int] = {}
    block_indent = -1  # indentation of the key whose `|` or `>` block scalar is being skipped
    for number, line in enumerate(text.split("\n"), 1):
        stripped = line.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        if indent > block_indent >= 0:
            continue
        block_indent = indent if _BLOCK_SCALAR.search(line) else -1
        _read_line(findings, number, line, entry_keys, keys)
    findings.keyword("Keys", *sorted(keys, key=lambda k: (-keys[k], k))[:MAX_KEYS])
    if entry_keys:
        described = ", ".join(f"`{key}` ({count})" for key, count in sorted(entry_keys.items()))
        findings.pattern(f"A top-level list of entries named by {described}.")
    if "on:" in text and "pull_request_target" in text:
        findings.note("security", 0, "Triggered by `pull_request_target`: runs with secrets on code from forks.")
    return findings


def _read_line(findings: Findings, number: int, line: str, entry_keys: dict, keys: dict) -> None:
    top = _TOP_KEY.match(line)
    if top:
        name = top.group(1).strip("\"'")
        findings.symbol("key", name, number, line.strip()[:100])
        findings.keyword("Top-Level Keys", name)
    entry = _ENTRY.match(line)
    if entry:
        key, value = entry.groups()
        findings.symbol("entry", value, number, line.strip()[:100])
        findings.keyword("Entries", value)
        entry_keys[key] = entry_keys.get(key, 0) + 1
    key = _ANY_KEY.match(line)
    if key:
        keys[key.group(1)] = keys.get(key.group(1), 0) + 1
    for anchor in _ANCHOR.findall(line) if "&" in line else ():
        findings.keyword("Anchors", anchor)
    unsafe = _UNSAFE_TAG.search(line) if "!!" in line else None
    if unsafe:
        findings.note("security", number, f"Uses the tag `{unsafe.group(0)}`: only an unsafe loader builds it.")
