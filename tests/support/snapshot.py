"""Snapshot comparison for tests: checked-in text under tests/snapshots/, updated only on request."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

SNAPSHOT_DIR = Path(__file__).parents[1] / "snapshots"
UPDATE_FLAG = "DOCBOT_UPDATE_SNAPSHOTS"
_DIFF_LINES = 60


def assert_snapshot(name: str, text: str) -> None:
    """Compare `text` with tests/snapshots/<name>; with DOCBOT_UPDATE_SNAPSHOTS=1, write it instead."""
    path = SNAPSHOT_DIR / name
    if os.environ.get(UPDATE_FLAG) == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        return
    hint = f"run with {UPDATE_FLAG}=1 to write it, then review the change with `git diff`"
    if not path.exists():
        raise AssertionError(f"snapshot {name} does not exist; {hint}")
    expected = path.read_text(encoding="utf-8")
    if expected != text:
        diff = difflib.unified_diff(
            expected.splitlines(keepends=True),
            text.splitlines(keepends=True),
            fromfile=f"snapshots/{name}",
            tofile="actual",
        )
        shown = "".join(list(diff)[:_DIFF_LINES])
        raise AssertionError(f"snapshot {name} differs; {hint}\n{shown}")
