"""Parsers of git's plain output (sans-I/O): name-status diffs and index or tree listings."""

from __future__ import annotations

import re

from bot.engine.changes import Change

# `ls-files --stage -z` and `ls-tree -r -z` records: "<mode> <two fields>\t<path>\0"
_LISTING_PATH = re.compile(r"\t([^\0]*)\0")
_LISTING_LINK = re.compile(r"(?:^|\0)120000 [^\t\0]*\t([^\0]*)")
_FILE_MODES = ("100644", "100755")


def listing_paths(out: str) -> tuple[list[str], set[str]]:
    """Every path of a listing, and those that are symbolic links (mode 120000)."""
    links = set(_LISTING_LINK.findall(out)) if "120000 " in out else set()  # links are rare: skip the scan
    return _LISTING_PATH.findall(out), links


def file_blobs(out: str) -> dict[str, str]:
    """Regular files of an `ls-files --stage -z` listing with their blob ids ("<mode> <id> <stage>\t<path>")."""
    records = (entry.partition("\t") for entry in out.split("\0") if entry)
    return {path: meta.split(" ", 2)[1] for meta, _, path in records if meta.startswith(_FILE_MODES)}


def parse_name_status(out: str) -> list[Change]:
    """Parse `git diff --name-status -z -M` output."""
    fields = out.split("\0")
    changes, i = [], 0
    while i < len(fields) and fields[i]:
        status = fields[i]
        if status[0] in "RC":
            old, new = fields[i + 1], fields[i + 2]
            changes.append(Change("R", new, old) if status[0] == "R" else Change("A", new))
            i += 3
        else:
            path = fields[i + 1]
            kind = {"A": "A", "D": "D"}.get(status[0], "M")
            changes.append(Change(kind, path))
            i += 2
    return changes
