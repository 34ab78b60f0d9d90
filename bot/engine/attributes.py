"""What `.gitattributes` files say about documenting a file (pure): generated, vendored and binary files
(`linguist-generated`, `linguist-vendored`, `-diff`, `binary`) are left out unless included by name.

Patterns follow gitattributes: relative to the file's folder, a pattern without a slash matches a
name at any depth, later lines and deeper files win. Matching goes through pathspec on RE2, so no
pattern can make it backtrack.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pathspec

NAME = ".gitattributes"
_HIDING = {"linguist-generated": True, "linguist-vendored": True, "-diff": True, "binary": True,
           "-linguist-generated": False, "-linguist-vendored": False, "linguist-generated=false": False,
           "linguist-vendored=false": False, "linguist-generated=true": True, "linguist-vendored=true": True,
           "diff": False}
_MAX_LINES = 2000


@dataclass(frozen=True)
class _Rule:
    folder: str  # "" for the root, else "a/b/"
    spec: pathspec.PathSpec
    hides: bool


class Attributes:
    """The hiding rules of a tree's `.gitattributes` files (their paths -> text)."""

    def __init__(self, files: Mapping[str, str] | None = None):
        self.files = dict(sorted((files or {}).items(), key=lambda item: (item[0].count("/"), item[0])))
        self._rules: list[_Rule] = []
        for path, text in self.files.items():
            folder = path[: -len(NAME)]
            for line in text.splitlines()[:_MAX_LINES]:
                self._rules += _rules(folder, line)

    def __bool__(self) -> bool:
        return bool(self._rules)

    def hides(self, path: str) -> bool:
        """Whether the attributes leave `path` out (the last rule that matches decides)."""
        hidden = False
        for rule in self._rules:
            if path.startswith(rule.folder) and rule.spec.match_file(path[len(rule.folder):]):
                hidden = rule.hides
        return hidden

    def hidden(self, paths: Iterable[str]) -> set[str]:
        return {p for p in paths if self.hides(p)} if self._rules else set()


def _rules(folder: str, line: str) -> list[_Rule]:
    parts = line.strip().split()
    if not parts or parts[0].startswith("#") or parts[0].startswith("!"):
        return []
    verdicts = [_HIDING[attr] for attr in parts[1:] if attr in _HIDING]
    if not verdicts:
        return []
    pattern = parts[0] if "/" in parts[0].rstrip("/") else "**/" + parts[0]
    try:
        spec = pathspec.PathSpec.from_lines("gitignore", [pattern.lstrip("/")], backend="re2")
    except (ValueError, TypeError):
        return []  # a pattern git itself would not understand hides nothing
    return [_Rule(folder, spec, verdicts[-1])]


def is_attributes_file(path: str) -> bool:
    return path == NAME or path.endswith("/" + NAME)
