"""Parsing our own pages back: round trips over awkward names, and refusal of pages that are not ours."""

from __future__ import annotations

import random

import pytest

from analyzers.model import FileAnalysis, KeywordGroup
from bot.engine.readback import parse_folder_index, parse_keywords, parse_subtree
from bot.engine.render import render_file_keywords
from bot.engine.render_folders import FileEntry, FolderState, render_folder_doc, render_folder_index, render_subtree
from bot.engine.templates import PageContext

CTX = PageContext("PyTorch", "docbot", "docs")
# Characters that Markdown, tables, links or code spans treat specially, plus non-ASCII.
AWKWARD = [" ", "|", "`", "``", "[", "]", "(", ")", "*", "_", "-", "#", "%", "?", "\\", "<", ">", "!",
           "~", '"', "'", ":", "é", "中", "🙂", "\t", "**: [", "](", "\\|"]  # fmt: skip
PLAIN = "abcXYZ019."


def awkward_text(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(AWKWARD) if rng.random() < 0.4 else rng.choice(PLAIN) for _ in range(length))


def awkward_name(rng: random.Random) -> str:
    """A file or folder name: no `/`, not `.` or `..`, never empty."""
    name = awkward_text(rng, rng.randint(1, 12)).replace("/", "") or "x"
    return "x" + name if name in (".", "..") else name


def awkward_description(rng: random.Random) -> str:
    """A one-line description as FileAnalysis.description gives it (stripped, never empty)."""
    return awkward_text(rng, rng.randint(1, 40)).strip() or "Markdown *and* `code` | pipes"


def awkward_folder(rng: random.Random, depth: int) -> str:
    return "/".join(awkward_name(rng) for _ in range(depth))


SEEDS = range(60)


@pytest.mark.parametrize("seed", SEEDS)
def test_folder_index_round_trip(seed: int) -> None:
    rng = random.Random(seed)
    path = awkward_folder(rng, rng.randint(0, 3))
    names = sorted({awkward_name(rng) for _ in range(rng.randint(0, 8))})
    files = tuple(FileEntry(n, awkward_description(rng)) for n in names)
    subfolders = tuple(sorted({awkward_name(rng) for _ in range(rng.randint(0, 4))}))
    folder = FolderState(path, files, subfolders)
    for ctx in (CTX, PageContext("My | *Project*", "gen `x`", "site/docs")):
        assert parse_folder_index(render_folder_index(folder, ctx), path) == folder


@pytest.mark.parametrize("seed", SEEDS)
def test_subtree_round_trip(seed: int) -> None:
    rng = random.Random(seed)
    path = awkward_folder(rng, rng.randint(0, 2))
    prefix = path + "/" if path else ""
    files = {prefix + awkward_folder(rng, rng.randint(1, 3)) for _ in range(rng.randint(0, 10))}
    assert parse_subtree(render_subtree(path, files, CTX), path) == frozenset(files)


@pytest.mark.parametrize("seed", SEEDS)
def test_keywords_round_trip(seed: int) -> None:
    rng = random.Random(seed)
    kinds = sorted({awkward_name(rng).strip() or "Kind" for _ in range(rng.randint(0, 5))})
    groups = tuple(
        KeywordGroup(kind, tuple(sorted({awkward_name(rng) for _ in range(rng.randint(1, 6))}))) for kind in kinds
    )
    a = FileAnalysis(
        path=awkward_folder(rng, 2), language="python", type_label="Python Source Code", fence_lang="python",
        size=1, lines=1, encoding="utf-8", purpose="", title="", symbols=(), imports=(), keywords=groups,
        patterns=(), notes=(),
    )  # fmt: skip
    assert parse_keywords(render_file_keywords(a, CTX)) == {g.kind: g.names for g in groups}


def test_named_edge_cases_round_trip() -> None:
    names = ["my file.py", "-leading.h", "pipe|name.md", "`tick`.py", "[x](y).c", "*star*", "_init_.py",
             "ümlaut.rst", "a\\|b", " spaced ", "100%.txt", "#hash?.md"]  # fmt: skip
    files = tuple(FileEntry(n, f"Describes {n} | with `code` and *emphasis* \\| escaped") for n in sorted(names))
    folder = FolderState("weird dir/ünï", files, ("-x", "a|b", "sub dir"))
    assert parse_folder_index(render_folder_index(folder, CTX), folder.path) == folder
    paths = {f"weird dir/ünï/{n}" for n in names}
    assert parse_subtree(render_subtree("weird dir/ünï", paths, CTX), "weird dir/ünï") == paths


def test_empty_folder_and_empty_keywords() -> None:
    folder = FolderState("a", (), ())
    assert parse_folder_index(render_folder_index(folder, CTX), "a") == folder
    assert parse_subtree(render_subtree("a", [], CTX), "a") == frozenset()
    bare = FileAnalysis("x.bin", "binary", "Binary File", "", 3, 0, "binary", "", "", (), (), (), (), (), binary=True)
    assert parse_keywords(render_file_keywords(bare, CTX)) == {}


def test_index_of_another_folder_is_refused() -> None:
    md = render_folder_index(FolderState("torch/nn", (FileEntry("a.py", "A."),), ()), CTX)
    assert parse_folder_index(md, "torch/nn") is not None
    assert parse_folder_index(md, "torch") is None


FOREIGN = [
    "",
    "no title here\n",
    "# Welcome\n\nA hand-written docs/index.md.\n\n## Files\n\n- setup.py\n",
    "# Keyword Index: `x.py`\n\nNo sections.\n",
    "# Index: `a/`\n\n## Subfolders\n\n## Files\n\n| Name | Size |\n|---|---|\n| a | 1 |\n",
]


@pytest.mark.parametrize("md", FOREIGN)
def test_pages_that_are_not_ours_give_none(md: str) -> None:
    assert parse_folder_index(md, "a") is None
    assert parse_subtree(md, "a") is None
    assert parse_keywords(md) is None


def test_folder_doc_is_not_an_index() -> None:
    folder = FolderState("a", (FileEntry("b.py", "B."),), ())
    assert parse_folder_index(render_folder_doc(folder, CTX), "a") is None


# Excerpts of the reference system's pages (shared/fixtures/seed-format), so an existing mirror is adopted.
REFERENCE_KW = """# Keyword Index: `torch/csrc/lazy/ts_backend/ops/to_copy.h`

## Keywords Extracted

This file contains the following key identifiers, symbols, and concepts:


### Class/Structs

- **`ToCopy`**: [to_copy.h_docs.md](./to_copy.h_docs.md)

### Functions

- **`CanBeReused`**: [to_copy.h_docs.md](./to_copy.h_docs.md)
- **`ClassOpKind`**: [to_copy.h_docs.md](./to_copy.h_docs.md)


## Keyword \u00e2\u2020\u2019 Section Map

- **File Metadata**: Basic file information
"""
REFERENCE_ROW = (
    "| [`{0}`](../../../../../../torch/csrc/lazy/ts_backend/ops/{0}) | Source code "
    "| [docs](./{0}_docs.md) | [keywords](./{0}_kw.md) |"
)
REFERENCE_INDEX = f"""# Index: `torch/csrc/lazy/ts_backend/ops/`

## Subfolders

*No subfolders.*

## Files

| File | Description | Documentation | Keywords |
|------|-------------|---------------|----------|
{REFERENCE_ROW.format("generic.cpp")}
{REFERENCE_ROW.format("to_copy.h")}
"""
REFERENCE_SUB = """# Subtree Keyword Index: `torch/csrc/lazy/ts_backend/ops/`

## Keywords

### generic

- [`torch/csrc/lazy/ts_backend/ops/generic.h`](./generic.h_docs.md)
- [`torch/csrc/lazy/ts_backend/ops/generic.cpp`](./generic.cpp_docs.md)
"""


def test_reference_system_pages_are_read() -> None:
    assert parse_keywords(REFERENCE_KW) == {"Class/Structs": ("ToCopy",), "Functions": ("CanBeReused", "ClassOpKind")}
    ops = "torch/csrc/lazy/ts_backend/ops"
    assert parse_folder_index(REFERENCE_INDEX, ops) == FolderState(
        ops, (FileEntry("generic.cpp", "Source code"), FileEntry("to_copy.h", "Source code")), ()
    )
    assert parse_subtree(REFERENCE_SUB, ops) == {f"{ops}/generic.h", f"{ops}/generic.cpp"}


def test_windows_line_endings_are_read() -> None:
    folder = FolderState("a", (FileEntry("b.py", "B."),), ("c",))
    assert parse_folder_index(render_folder_index(folder, CTX).replace("\n", "\r\n"), "a") == folder
