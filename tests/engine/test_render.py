"""Rendered pages: section order, fences, links, escaping and the footer, on hand-built analyses."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from snapshot import assert_snapshot

from analyzers import analyze_source
from analyzers.model import FileAnalysis, KeywordGroup, Note, Symbol
from bot.engine.markdown import anchor, code, fence
from bot.engine.render import render_file_docs, render_file_keywords
from bot.engine.render_folders import FileEntry, FolderState, render_folder_doc, render_folder_index, render_subtree
from bot.engine.templates import PageContext, to_source

CTX = PageContext("PyTorch", "docbot-test", "docs")
DOCS_HEADINGS = [
    "File Metadata", "File Purpose", "Original Source", "High-Level Overview", "Detailed Analysis",
    "Code Structure", "Architecture & Design", "Dependencies", "Import Dependencies",
    "Code Patterns & Idioms", "Performance Considerations", "Security & Safety", "Testing & Usage",
    "Related Files", "Cross-References",
]  # fmt: skip
MARKDOWN = MarkdownIt("commonmark").enable("table")

LINEAR_PY = (
    '"""Linear layers."""\nimport torch\n\n\nclass Linear(Module):\n    def forward(self, x):\n' + "        return x\n"
)
FILL_H = (
    "#pragma once\n#include <ATen/core/Tensor.h>\n\n"
    "namespace at::native {\nstruct FillOp {};\nTensor& fill_(Tensor& self);\n}\n"
)
GUIDE_MD = "# Guide\n\nUse ``` fences:\n\n````python\n```\nnested\n```\n````\n\n## Next | step\n\nText with `code`."


def analysis(path: str, **fields) -> FileAnalysis:
    """A FileAnalysis with empty defaults for everything a case does not set."""
    base = dict(
        path=path, language="text", type_label="Text File", fence_lang="", size=0, lines=0,
        encoding="utf-8", purpose="", title="", symbols=(), imports=(), keywords=(), patterns=(),
        notes=(),
    )  # fmt: skip
    return FileAnalysis(**{**base, **fields})


PYTHON = analysis(
    "torch/nn/modules/linear.py",
    language="python", type_label="Python Source Code", fence_lang="python",
    size=len(LINEAR_PY), lines=7, purpose="Linear layers.",
    symbols=(
        Symbol("class", "Linear", 5, "class Linear(Module)", "Applies y = xA^T + b | with bias."),
        Symbol("method", "Linear.forward", 6, "def forward(self, x)"),
    ),
    imports=("torch",),
    keywords=(KeywordGroup("Classes", ("Linear",)), KeywordGroup("Imports", ("torch",)),
              KeywordGroup("Methods", ("Linear.forward",))),
    patterns=("Subclasses `Module`.",),
    notes=(Note("performance", 6, "Returns its input unchanged."), Note("security", 0, "Nothing to say.")),
)  # fmt: skip
CPP = analysis(
    "aten/src/ATen/native/Fill.h",
    language="cpp", type_label="C++ Header", fence_lang="cpp", size=len(FILL_H), lines=7,
    symbols=(
        Symbol("namespace", "at::native", 4, "namespace at::native"),
        Symbol("struct", "at::native::FillOp", 5, "struct FillOp"),
        Symbol("function", "at::native::fill_", 6, "Tensor& fill_(Tensor& self)", "Fills in place."),
    ),
    imports=("ATen/core/Tensor.h",),
    keywords=(KeywordGroup("Functions", ("at::native::fill_",)), KeywordGroup("Includes", ("ATen/core/Tensor.h",)),
              KeywordGroup("Namespaces", ("at::native",))),
)  # fmt: skip
MARKDOWN_DOC = analysis(
    "docs/source/guide.md",
    language="markdown", type_label="Markdown Documentation", fence_lang="markdown",
    size=len(GUIDE_MD), lines=13, title="Guide", purpose="Use fences.",
    symbols=(Symbol("heading", "Guide", 1, "# Guide"), Symbol("heading", "Next | step", 11, "## Next | step")),
    keywords=(KeywordGroup("Headings", ("Guide", "Next | step")),),
)  # fmt: skip
BINARY = analysis(
    "docs/img/logo.png", language="binary", type_label="PNG Image", size=123_456, encoding="binary",
    degraded="binary file", binary=True,
)  # fmt: skip
DEGRADED = analysis(
    "tools/broken.py", language="python", type_label="Python Source Code", fence_lang="python",
    size=12, lines=1, degraded="syntax error at line 1: invalid syntax",
)  # fmt: skip
CASES = [(PYTHON, LINEAR_PY), (CPP, FILL_H), (MARKDOWN_DOC, GUIDE_MD), (BINARY, None), (DEGRADED, "def broken(\n")]


def headings(md: str) -> list[str]:
    """Headings as a Markdown renderer sees them (so none from inside the embedded source)."""
    tokens = MARKDOWN.parse(md)
    return [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]


def fences(md: str) -> list[tuple[str, str]]:
    return [(t.info, t.content) for t in MARKDOWN.parse(md) if t.type == "fence"]


def assert_clean(md: str, source: str | None = None) -> None:
    """UTF-8 without mojibake, one final newline, no trailing whitespace or double blank lines."""
    body = md.replace(source, "") if source else md
    assert md.endswith("\n") and not md.endswith("\n\n")
    assert "â†’" not in md
    assert not [line for line in body.split("\n") if line != line.rstrip()]
    assert "\n\n\n" not in body


@pytest.mark.parametrize(("a", "text"), CASES, ids=lambda c: getattr(c, "path", ""))
def test_docs_page_has_every_section_in_order(a: FileAnalysis, text: str | None) -> None:
    md = render_file_docs(a, text, CTX)
    found = headings(md)
    assert found[0] == f"Documentation: `{a.path}`"
    assert found[1:] == DOCS_HEADINGS
    assert md.endswith("\n---\n\n*Generated by docbot-test*\n")
    assert_clean(md, text)
    assert md == render_file_docs(a, text, CTX)


@pytest.mark.parametrize(("a", "text"), [c for c in CASES if c[1] is not None], ids=str)
def test_embedded_source_renders_back_to_the_exact_text(a: FileAnalysis, text: str) -> None:
    md = render_file_docs(a, text, CTX)
    expected = text if text.endswith("\n") else text + "\n"
    assert fences(md) == [(a.fence_lang, expected)]


def test_fence_is_longer_than_any_backtick_run() -> None:
    assert fence("plain") == "```"
    assert fence(GUIDE_MD) == "`````"
    assert render_file_docs(MARKDOWN_DOC, GUIDE_MD, CTX).count("\n`````markdown\n") == 1


FRAGMENTS = [
    (PYTHON, LINEAR_PY, [
        "- **Size**: 101 bytes (0.10 KB)",
        "| `Linear` | `class Linear(Module)` | Applies y = xA^T + b \\| with bias. |",
        "class `Linear` ([line 5](../../../../torch/nn/modules/linear.py#L5)): `class Linear(Module)`, enclosing 1 "
        "method",
        "- **[line 6](../../../../torch/nn/modules/linear.py#L6)**: Returns its input unchanged.",
        "- **whole file**: Nothing to say.",
        "No test files matching this file were found.",
        "- Subclasses `Module`.",
        "`linear.py` (Python Source Code, 7 lines) contains 1 class and 1 method and has 1 import dependency.",
    ]),
    (CPP, FILL_H, [
        "namespace `at::native` ([line 4]",
        "enclosing 1 function and 1 struct",
        "- `ATen/core/Tensor.h`",
        "`Fill.h` (C++ Header) is part of the PyTorch project and lives in `aten/src/ATen/native/`.",
    ]),
    (MARKDOWN_DOC, GUIDE_MD, [
        "- Guide ([line 1](../../../docs/source/guide.md#L1))\n  - Next | step ([line 11]",
        "**Guide**",
        "the document is structured by its headings",
    ]),
    (BINARY, None, [
        "*The source is not embedded: binary file.*",
        "- **Size**: 123,456 bytes (120.56 KB)",
        "`logo.png` (PNG Image, 123,456 bytes (120.56 KB)) is documented by its metadata only.",
        "Only its metadata is documented, so no purpose statement is read from it.",
    ]),
    (DEGRADED, "def broken(\n", [
        "`broken.py` (Python Source Code) is part of the PyTorch project and lives in `tools/`.",
    ]),
]  # fmt: skip


@pytest.mark.parametrize(("a", "text", "fragments"), FRAGMENTS, ids=lambda c: getattr(c, "path", ""))
def test_docs_page_says_what_the_analysis_found(a: FileAnalysis, text: str | None, fragments: list[str]) -> None:
    md = render_file_docs(a, text, CTX)
    assert [f for f in fragments if f not in md] == []


def test_metadata_only_page_has_no_source_block() -> None:
    md = render_file_docs(BINARY, None, CTX)
    assert fences(md) == []
    assert "**Lines**" not in md


def test_degraded_analysis_is_announced_before_the_metadata() -> None:
    md = render_file_docs(DEGRADED, "def broken(\n", CTX)
    note = "> **Reduced analysis**: syntax error at line 1: invalid syntax"
    assert md.index(note) < md.index("## File Metadata")


def test_related_files_and_tests_are_relative_links() -> None:
    ctx = PageContext("PyTorch", "docbot", "site/docs", related=("aten/src/ATen/native/Fill.cpp",),
                      tests=("test/test fill.py",))  # fmt: skip
    md = render_file_docs(CPP, FILL_H, ctx)
    assert "- [`Fill.cpp`](./Fill.cpp_docs.md)" in md
    assert "- [`test/test fill.py`](../../../../test/test%20fill.py_docs.md)" in md
    assert "- **Source**: [`aten/src/ATen/native/Fill.h`](../../../../../../aten/src/ATen/native/Fill.h)" in md


def test_purpose_cannot_break_the_page_structure() -> None:
    a = analysis("a.txt", purpose="Title\n=====\n# hash\n```\n<div>\n---")
    md = render_file_docs(a, "x\n", CTX)
    assert headings(md)[1:] == DOCS_HEADINGS
    assert "\\=====\n\\# hash\n\\```\n\\<div>\n\\---" in md


def test_keyword_page() -> None:
    md = render_file_keywords(CPP, PageContext("PyTorch", "gen", "docs"))
    assert headings(md) == [
        "Keyword Index: `aten/src/ATen/native/Fill.h`", "File Information", "Keywords Extracted",
        "Functions", "Includes", "Namespaces", "Keyword → Section Map",
    ]  # fmt: skip
    assert "- **Original File**: [`aten/src/ATen/native/Fill.h`](../../../../../aten/src/ATen/native/Fill.h)" in md
    assert "- **`at::native::fill_`**: [Fill.h\\_docs.md](./Fill.h_docs.md)" not in md
    assert "- **`at::native::fill_`**: [Fill.h_docs.md](./Fill.h_docs.md)" in md
    assert "- **Includes** → [Dependencies](./Fill.h_docs.md#dependencies)" in md
    assert "- **Namespaces** → [Detailed Analysis](./Fill.h_docs.md#detailed-analysis)" in md
    assert "- **Functions** → [Detailed Analysis](./Fill.h_docs.md#detailed-analysis)" in md
    assert md.endswith("\n---\n\n*Generated by gen*\n")
    assert_clean(md)


def test_inline_code_survives_backticks_and_spaces() -> None:
    assert code("a`b") == "``a`b``"
    assert code("`x`") == "`` `x` ``"
    assert code(" pad ") == "`  pad  `"


def test_section_anchors_match_github() -> None:
    assert anchor("Code Patterns & Idioms") == "code-patterns--idioms"
    assert anchor("Detailed Analysis") == "detailed-analysis"


FOLDER = FolderState(
    "aten/src/ATen/native",
    (FileEntry("Fill.cpp", "Fill kernels."), FileEntry("Fill.h", "C++ Header"),
     FileEntry("README.md", "Native operators | how to add one"), FileEntry("my file.py", "Spaces.")),
    ("cuda", "quantized"),
)  # fmt: skip


def test_folder_index() -> None:
    md = render_folder_index(FOLDER, CTX)
    assert headings(md) == [
        "Index: `aten/src/ATen/native/`", "Overview", "Subfolders", "Files", "Navigation",
    ]  # fmt: skip
    assert "From [`README.md`](./README.md_docs.md): Native operators | how to add one" in md
    row = "| [`my file.py`](../../../../../aten/src/ATen/native/my%20file.py) | Spaces. "
    assert row + "| [docs](./my%20file.py_docs.md) | [keywords](./my%20file.py_kw.md) |" in md
    assert "- [`cuda/`](./cuda/index.md)" in md
    assert "- **Parent Folder**: [`aten/src/ATen/`](../index.md)" in md
    assert_clean(md)


def test_root_index_has_the_same_parseable_structure() -> None:
    md = render_folder_index(FolderState("", (FileEntry("setup.py", "Setup."),), ("torch",)), CTX)
    assert headings(md) == [
        "PyTorch Documentation", "Overview", "Documentation Structure", "Subfolders", "Files", "Navigation",
    ]  # fmt: skip
    assert "| [`setup.py`](../setup.py) |" in md
    assert "Parent Folder" not in md and "keywords.md" not in md
    assert_clean(md)
    empty = render_folder_index(FolderState("", (), ("torch",)), CTX)
    assert "The repository root holds no documented files and 1 top-level folder." in empty


def test_folder_doc() -> None:
    md = render_folder_doc(FOLDER, CTX)
    assert headings(md) == [
        "Documentation: `aten/src/ATen/native/`", "Role in PyTorch", "Contents Overview", "Key Concepts",
        "Architecture & Organization", "Folder Structure", "Important Files", "Key Files",
        "Working with This Folder", "Cross-References",
    ]  # fmt: skip
    assert "- `.cpp`: 1 file\n- `.h`: 1 file\n- `.md`: 1 file\n- `.py`: 1 file" in md
    assert "- [`README.md`](./README.md_docs.md): the folder's readme" in md
    assert "main Python API" not in md
    assert_clean(md)


def test_init_py_describes_its_folder_unless_it_only_has_a_type_label() -> None:
    init = FolderState("torch/nn", (FileEntry("__init__.py", "Neural network modules."),), ())
    assert "From [`__init__.py`](./__init__.py_docs.md): Neural network modules." in render_folder_doc(init, CTX)
    bare = FolderState("torch/nn", (FileEntry("__init__.py", "Python Source Code"),), ())
    assert "No readme or `__init__.py` here describes the folder" in render_folder_doc(bare, CTX)
    assert "From [" not in render_folder_index(bare, CTX)


def test_folder_doc_without_readme_says_so() -> None:
    md = render_folder_doc(FolderState("tools", (FileEntry("Makefile", "Make."),), ()), CTX)
    assert "No readme or `__init__.py` here describes the folder" in md
    assert "- no extension: 1 file" in md
    assert "- [`Makefile`](./Makefile_docs.md): Make build file" in md


def test_subtree_groups_are_sorted_and_links_relative() -> None:
    files = ["torch/csrc/ops/to_copy.h", "torch/csrc/ops/generic.h", "torch/csrc/ops/generic.cpp",
             "torch/csrc/ops/sub dir/device_data.cpp", "torch/csrc/ops/Makefile"]  # fmt: skip
    md = render_subtree("torch/csrc/ops", files, CTX)
    assert headings(md)[:3] == ["Subtree Keyword Index: `torch/csrc/ops/`", "Scope", "Keywords"]
    groups = headings(md)[3:]
    assert groups == sorted(groups)
    assert groups == ["Makefile", "device_data", "files-(no extension)", "files-.cpp", "files-.h",
                      "generic", "to_copy"]  # fmt: skip
    assert "### files-.cpp\n\n- [`torch/csrc/ops/generic.cpp`](./generic.cpp_docs.md)\n" in md
    assert "- [`torch/csrc/ops/sub dir/device_data.cpp`](./sub%20dir/device_data.cpp_docs.md)" in md
    assert_clean(md)


def test_subtree_rejects_files_outside_the_folder() -> None:
    with pytest.raises(ValueError):
        render_subtree("torch", ["aten/x.h"], CTX)


def test_source_links_follow_the_docs_dir_depth() -> None:
    assert to_source(PageContext("P", "g", "docs"), "a/b", "a/b/c.py") == "../../../a/b/c.py"
    assert to_source(PageContext("P", "g", "site/docs/"), "", "c d.py") == "../../c%20d.py"
    assert to_source(PageContext("P", "g", "."), "", "c.py") == "./c.py"


def test_section_headings_of_every_page_are_real_utf8() -> None:
    md = render_file_keywords(PYTHON, CTX)
    assert "## Keyword → Section Map" in md
    assert re.search(r"^- \*\*Classes\*\* → \[Detailed Analysis\]", md, re.M)


# --- snapshots of the pages of real PyTorch files: the rendered text is the product --------------

PYTORCH = Path(__file__).parents[1] / "fixtures" / "pytorch"
SNAPSHOT_CTX = PageContext("PyTorch", "docbot", "docs")
SOURCES = sorted(str(p.relative_to(PYTORCH)) for p in PYTORCH.rglob("*") if p.is_file())


def same_stem(path: str) -> tuple[str, ...]:
    """Fixture files beside `path` with its stem, as the engine passes them in PageContext.related."""
    folder, stem = posixpath.dirname(path), posixpath.splitext(posixpath.basename(path))[0]
    return tuple(
        p for p in SOURCES
        if p != path and posixpath.dirname(p) == folder and posixpath.splitext(posixpath.basename(p))[0] == stem
    )  # fmt: skip


@pytest.mark.parametrize("path", SOURCES)
def test_file_pages_snapshot(path: str) -> None:
    analysis, text = analyze_source(path, (PYTORCH / path).read_bytes())
    ctx = PageContext("PyTorch", "docbot", "docs", related=same_stem(path))  # as SNAPSHOT_CTX, plus related
    docs, kw = render_file_docs(analysis, text, ctx), render_file_keywords(analysis, ctx)
    assert headings(docs)[1:] == DOCS_HEADINGS
    assert_clean(docs, text)
    assert_clean(kw)
    assert_snapshot(f"render/{path}_docs.md", docs)
    assert_snapshot(f"render/{path}_kw.md", kw)


def fixture_folders() -> dict[str, FolderState]:
    """Every folder of the fixture tree with its files' real descriptions."""
    folders = {posixpath.dirname(p) for p in SOURCES}
    for folder in list(folders):
        while folder:
            folder = posixpath.dirname(folder)
            folders.add(folder)
    descriptions = {p: analyze_source(p, (PYTORCH / p).read_bytes())[0].description for p in SOURCES}
    states = {}
    for folder in sorted(folders):
        files = tuple(
            FileEntry(posixpath.basename(p), d) for p, d in descriptions.items() if posixpath.dirname(p) == folder
        )
        subs = tuple(sorted(posixpath.basename(f) for f in folders if f and posixpath.dirname(f) == folder))
        states[folder] = FolderState(folder, files, subs)
    return states


def test_folder_pages_snapshot() -> None:
    for folder, state in fixture_folders().items():
        under = [p for p in SOURCES if not folder or p.startswith(folder + "/")]
        base = f"render/{folder}/" if folder else "render/"
        for name, md in (
            ("index.md", render_folder_index(state, SNAPSHOT_CTX)),
            ("doc.md", render_folder_doc(state, SNAPSHOT_CTX)),
            ("sub.md", render_subtree(folder, under, SNAPSHOT_CTX)),
        ):
            assert_clean(md)
            assert_snapshot(base + name, md)
