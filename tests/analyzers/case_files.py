"""The small realistic sources under tests/fixtures/cases/, analyzed and snapshotted the same way."""

from __future__ import annotations

import json
from pathlib import Path

from snapshot import assert_snapshot

from analyzers import FileAnalysis, analyze_source

CASES = Path(__file__).parent.parent / "fixtures" / "cases"


def analyze_case(case: str) -> FileAnalysis:
    """Analyze a case under its repository path (the part after `cases/<group>/`)."""
    return analyze_source(case.split("/", 1)[1], (CASES / case).read_bytes())[0]


def names(analysis: FileAnalysis, kind: str) -> tuple[str, ...]:
    return next((group.names for group in analysis.keywords if group.kind == kind), ())


def assert_case_snapshot(case: str, analysis: FileAnalysis) -> None:
    text = json.dumps(analysis.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert_snapshot(f"analysis/cases/{case}.json", text)
