"""The collector a language analyzer fills, and its conversion into a frozen FileAnalysis."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from analyzers.model import FileAnalysis, KeywordGroup, Note, Symbol
from analyzers.stopwords import is_noise_word

# How many evidence items one pattern sentence quotes before "and N more".
MAX_EVIDENCE = 6
# A purpose is one paragraph; a longer one is cut at a word boundary.
MAX_PURPOSE = 1000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# test_x.py, x_test.py, x-test.cc, x_unittest.cc, x.test.ts, x.spec.js, x_spec.rb
_TEST_FILE = re.compile(r"^(?:test_.+|.+[_-](?:test|unittest|spec)\.\w+|.+\.(?:test|spec)\.\w+)$")


class AnalysisDegraded(Exception):
    """The language analyzer cannot give a useful result; the message says why."""


@dataclass
class Findings:
    """What one analyzer found, mutable while it works."""

    purpose: str = ""
    title: str = ""
    symbols: list[Symbol] = field(default_factory=list)
    imports: set[str] = field(default_factory=set)
    keywords: dict[str, set[str]] = field(default_factory=dict)
    patterns: list[str] = field(default_factory=list)
    evidence: dict[str, list[str]] = field(default_factory=dict)
    notes: set[Note] = field(default_factory=set)
    reduced: str = ""  # the part of the file the analysis lost, named; "" when nothing was lost

    def symbol(self, kind: str, name: str, line: int, signature: str = "", doc: str = "") -> None:
        """Record a definition, in source order."""
        self.symbols.append(Symbol(kind, name, line, signature, doc))

    def keyword(self, kind: str, *names: str) -> None:
        """Add code names (identifiers, paths, headings) to a keyword group, unfiltered."""
        group = self.keywords.get(kind)
        if group is None:
            group = self.keywords[kind] = set()
        for name in names:  # why a loop: most calls add one name, and a generator costs more
            if name:
                group.add(name)

    def prose_keyword(self, kind: str, *names: str) -> None:
        """Add names that come from prose-bearing text, dropping English words."""
        self.keyword(kind, *(name for name in names if not is_noise_word(name)))

    def note(self, category: str, line: int, message: str) -> None:
        self.notes.add(Note(category, line, message))

    def pattern(self, sentence: str) -> None:
        if sentence not in self.patterns:
            self.patterns.append(sentence)

    def cite(self, label: str, item: str) -> None:
        """Collect one piece of evidence for the pattern sentence that starts with `label`."""
        items = self.evidence.setdefault(label, [])
        if item not in items:
            items.append(item)


def cited_patterns(findings: Findings) -> list[str]:
    """Patterns, then one sentence per evidence label: "Label: a, b and 3 more"."""
    sentences = list(findings.patterns)
    for label, items in findings.evidence.items():
        shown = ", ".join(items[:MAX_EVIDENCE])
        more = len(items) - MAX_EVIDENCE
        sentences.append(f"{label}: {shown}" + (f" and {more} more" if more > 0 else "") + ".")
    return sentences


def note_test_file(findings: Findings, path: str) -> None:
    """A testing note when the file name follows a test naming convention."""
    name = posixpath.basename(path)
    if _TEST_FILE.match(name):
        findings.note("testing", 0, f"Test file: `{name}` follows a test naming convention.")


def _cut(text: str, limit: int = MAX_PURPOSE) -> str:
    """Control characters removed (a latin-1 fallback can decode some), cut at a word boundary."""
    text = _CONTROL.sub("", text)
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " ..."


def import_sort_key(entry: str) -> tuple[str, str]:
    """Sort "from x import y" among plain imports by its module name."""
    return (entry.removeprefix("from "), entry)


def freeze(findings: Findings, **meta) -> FileAnalysis:
    """Build the FileAnalysis: keywords, imports and notes sorted, everything a tuple."""
    groups = tuple(
        KeywordGroup(kind, tuple(sorted(names))) for kind, names in sorted(findings.keywords.items()) if names
    )
    return FileAnalysis(
        purpose=_cut(findings.purpose),
        title=findings.title,
        symbols=tuple(findings.symbols),
        imports=tuple(sorted(findings.imports, key=import_sort_key)),
        keywords=groups,
        patterns=tuple(cited_patterns(findings)),
        notes=tuple(sorted(findings.notes, key=lambda n: (n.category, n.line, n.message))),
        **meta,
    )
