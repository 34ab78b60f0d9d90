"""What changed between two states of a repository, as the engine takes it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Change:
    """One changed path between two revisions: status A, M, D or R (old_path set for R)."""

    status: str
    path: str
    old_path: str | None = None
