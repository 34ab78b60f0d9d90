"""Pure analyzers: (path, bytes) -> FileAnalysis. No I/O."""

from __future__ import annotations

import importlib
import posixpath

from analyzers.decoding import BINARY_SNIFF_BYTES, decode, looks_binary
from analyzers.findings import AnalysisDegraded, Findings, freeze
from analyzers.languages import TEXT, LanguageSpec, binary_spec, refine_by_content, spec_for
from analyzers.model import PARSE_FILENAME, FileAnalysis, KeywordGroup, Note, Symbol
from analyzers.textutil import count_lines

__all__ = ["PARSE_FILENAME", "FileAnalysis", "KeywordGroup", "Note", "Symbol", "analyze_source"]

# Analyzer name -> module with `analyze(path, text, spec) -> Findings`; imported on first use
# so that `import analyzers` stays cheap.
_MODULES = {
    "python": "analyzers.python_ast",
    "c": "analyzers.c_family",
    "cpp": "analyzers.c_family",
    "cuda": "analyzers.c_family",
    "markdown": "analyzers.markdown_doc",
    "rst": "analyzers.rst_doc",
    "cmake": "analyzers.cmake_script",
    "yaml": "analyzers.yaml_config",
    "toml": "analyzers.toml_config",
    "lexical": "analyzers.lexical",
}


def analyze_source(path: str, data: bytes, max_bytes: int = 1_000_000) -> tuple[FileAnalysis, str | None]:
    """Decode and analyze one file. Returns the analysis and the decoded text (None for a metadata-only page)."""
    size = len(data)
    if size > max_bytes:
        reason = f"{size:,} bytes exceeds max_file_bytes ({max_bytes:,}): metadata only"
        return _metadata_only(path, spec_for(path), size, "not read", reason), None
    if looks_binary(data):
        reason = f"binary content (NUL bytes in the first {BINARY_SNIFF_BYTES // 1024} KB): metadata only"
        return _metadata_only(path, binary_spec(path), size, "binary", reason), None
    text, encoding = decode(data)
    spec = refine_by_content(spec_for(path), text)
    if spec.analyzer == "binary":  # a binary extension, but the content is text
        spec = TEXT
    findings, degraded = _analyze(spec, path, text)
    return freeze(
        findings,
        path=path,
        language=spec.language,
        type_label=spec.type_label,
        fence_lang=spec.fence_lang,
        size=size,
        lines=count_lines(text),
        encoding=encoding,
        degraded=degraded,
    ), text


def _metadata_only(path: str, spec: LanguageSpec, size: int, encoding: str, reason: str) -> FileAnalysis:
    return freeze(
        Findings(),
        path=path,
        language=spec.language,
        type_label=spec.type_label,
        fence_lang="",
        size=size,
        lines=0,
        encoding=encoding,
        degraded=reason,
        binary=True,
    )


def _analyze(spec: LanguageSpec, path: str, text: str) -> tuple[Findings, str]:
    """Run the language analyzer; on any failure fall back to the lexical one and say why."""
    if not text or text.isspace():
        return _empty(path, text), ""
    try:
        findings = importlib.import_module(_MODULES[spec.analyzer]).analyze(path, text, spec)
        return findings, findings.reduced
    except AnalysisDegraded as exc:
        reason = str(exc)
    except Exception as exc:  # noqa: BLE001 - why: no input may stop a docs run
        detail = str(exc).split("\n", 1)[0][:160]
        reason = f"{spec.analyzer} analyzer failed ({type(exc).__name__}: {detail}); showing a lexical analysis"
    try:
        return importlib.import_module("analyzers.lexical").analyze(path, text, spec), reason
    except Exception as exc:  # noqa: BLE001 - why: the page is still written, without analysis
        return Findings(), f"{reason}; the lexical analysis failed too ({type(exc).__name__})"


def _empty(path: str, text: str) -> Findings:
    if posixpath.basename(path) == "__init__.py":
        return Findings(purpose="Empty `__init__.py`: marks its folder as a Python package.")
    return Findings(purpose="Empty file." if not text else "Blank file: whitespace only.")
