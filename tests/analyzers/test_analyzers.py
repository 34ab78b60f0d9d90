"""analyzers: snapshots of real files, specific facts, hostile input, determinism."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from snapshot import assert_snapshot

from analyzers import FileAnalysis, analyze_source
from analyzers.rst_scan import code_term
from analyzers.stopwords import is_noise_word, is_strong_identifier

FIXTURES = Path(__file__).parents[1] / "fixtures"
FIXTURE_SOURCES = sorted(
    str(path.relative_to(FIXTURES))
    for folder in ("pytorch", "seed-format")
    for path in (FIXTURES / folder).rglob("*")
    if path.is_file()
)
PROSE_WORDS = {"a", "at", "the", "then", "you", "however", "this", "we", "if", "for", "in", "it"}


def analyze_fixture(fixture: str) -> FileAnalysis:
    """Analyze a fixture under its repository path (without the pytorch/ or seed-format/ prefix)."""
    repo_path = fixture.split("/", 1)[1]
    return analyze_source(repo_path, (FIXTURES / fixture).read_bytes())[0]


def names(analysis: FileAnalysis, kind: str) -> tuple[str, ...]:
    return next((group.names for group in analysis.keywords if group.kind == kind), ())


def symbols(analysis: FileAnalysis, kind: str) -> dict[str, object]:
    return {symbol.name: symbol for symbol in analysis.symbols if symbol.kind == kind}


def as_json(analysis: FileAnalysis) -> str:
    return json.dumps(analysis.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# --- snapshots: the analysis is the product, reviewed by eye -------------------------------


@pytest.mark.parametrize("fixture", FIXTURE_SOURCES)
def test_analysis_snapshot(fixture):
    assert_snapshot(f"analysis/{fixture}.json", as_json(analyze_fixture(fixture)))


@pytest.mark.parametrize("fixture", FIXTURE_SOURCES)
def test_analysis_is_well_formed(fixture):
    analysis = analyze_fixture(fixture)
    assert analysis.degraded == ""
    assert [g.kind for g in analysis.keywords] == sorted(g.kind for g in analysis.keywords)
    for group in analysis.keywords:
        assert group.names and list(group.names) == sorted(set(group.names)), group.kind
    assert list(analysis.notes) == sorted(analysis.notes, key=lambda n: (n.category, n.line, n.message))
    assert [s.line for s in analysis.symbols] == sorted(s.line for s in analysis.symbols)
    assert all(note.category in ("performance", "security", "testing") for note in analysis.notes)
    assert "\n" not in analysis.purpose


@pytest.mark.parametrize("fixture", FIXTURE_SOURCES)
def test_same_input_same_analysis(fixture):
    assert as_json(analyze_fixture(fixture)) == as_json(analyze_fixture(fixture))


# --- facts the snapshots must keep -----------------------------------------------------------


def test_cpp_namespaces_are_fully_qualified():
    fill = analyze_fixture("pytorch/aten/src/ATen/native/Fill.cpp")
    assert names(fill, "Namespaces") == ("at", "at::native")
    fill_out = symbols(fill, "function")["at::native::fill_out"]
    assert (fill_out.line, fill_out.signature) == (15, "Tensor& fill_out(Tensor& self, const Scalar& value)")
    assert "ATen/native/Fill.h" in fill.imports
    assert fill.purpose == "Functions that fill Tensors with constants."
    assert any("`DEFINE_DISPATCH`" in pattern and "fill_stub" in pattern for pattern in fill.patterns)
    to_copy = analyze_fixture("seed-format/torch/csrc/lazy/ts_backend/ops/to_copy.h")
    assert names(to_copy, "Namespaces") == ("torch::lazy",)
    assert "torch::lazy::ToCopy" in symbols(to_copy, "class")
    assert "torch::lazy::ToCopy::Lower" in symbols(to_copy, "method")


def test_out_of_line_constructors_are_methods():
    generic = analyze_fixture("seed-format/torch/csrc/lazy/ts_backend/ops/generic.cpp")
    constructors = [s for s in generic.symbols if s.name == "torch::lazy::Generic::Generic"]
    assert [s.line for s in constructors] == [5, 14, 23, 30]
    assert {s.kind for s in constructors} == {"method"}


def test_cuda_kernel_launch_and_device_code_are_noted():
    kernel = analyze_fixture("pytorch/aten/src/ATen/native/cuda/FillKernel.cu")
    performance = {note.line: note.message for note in kernel.notes if note.category == "performance"}
    assert "gpu_kernel()" in performance[28]
    assert "__device__" in performance[13]
    assert (
        "template <typename scalar_t> struct FillFunctor"
        == symbols(kernel, "struct")["at::native::FillFunctor"].signature
    )


def test_cuda_global_kernel_and_launch():
    source = (
        b"__global__ void scale(float* x, float a) { x[threadIdx.x] *= a; }\n\n"
        b"void run(float* x) {\n  scale<<<1, 32>>>(x, 2.0f);\n}\n"
    )
    analysis, _ = analyze_source("k.cu", source)
    assert names(analysis, "Kernels") == ("scale",)
    lines = {note.line for note in analysis.notes if note.category == "performance"}
    assert lines == {1, 4}


def test_python_classes_methods_and_imports():
    linear = analyze_fixture("pytorch/torch/nn/modules/linear.py")
    assert symbols(linear, "class")["Linear"].signature == "class Linear(Module)"
    forward = symbols(linear, "method")["Linear.forward"]
    assert forward.signature == "def forward(self, input: Tensor) -> Tensor"
    assert "Linear.forward" in names(linear, "Methods")
    assert {"from .module import Module", "math"} <= set(linear.imports)
    assert any(p.startswith("Subclasses `Module`: `Identity` (line 13), `Linear` (line 36)") for p in linear.patterns)
    assert any(note.category == "testing" and "`Linear`" in note.message for note in linear.notes)


def test_python_purpose_and_exports():
    shuffle = analyze_fixture("seed-format/torch/nn/modules/channelshuffle.py")
    assert shuffle.purpose == "Divides and rearranges the channels in a tensor."
    assert names(shuffle, "Exports") == ("ChannelShuffle",)
    assert names(shuffle, "Imports") == (".module", "torch", "torch.nn.functional")
    frame = analyze_fixture("pytorch/torch/_dynamo/eval_frame.py")
    notes = {(note.category, note.line) for note in frame.notes}
    assert {("performance", 12), ("performance", 981)} <= notes
    assert "__future__" not in names(frame, "Imports")


RISKY_PY = '''import subprocess, os, pickle, yaml, torch
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

def run(cmd, blob, path):
    subprocess.run(cmd, shell=True)
    os.system(cmd)
    pickle.loads(blob)
    torch.load(path)
    torch.load(path, weights_only=True)
    yaml.load(blob)
    yaml.load(blob, Loader=yaml.SafeLoader)
    return eval(cmd)

@lru_cache(maxsize=None)
def cached():
    """Doc.

    >>> cached()
    """

if __name__ == "__main__":
    run("ls", b"", "x")
'''


def test_python_risky_calls_and_concurrency_are_noted():
    analysis, _ = analyze_source("tools/risky.py", RISKY_PY.encode())
    notes = {(n.category, n.line) for n in analysis.notes}
    assert {("security", line) for line in (6, 7, 8, 9, 11, 13)} <= notes
    assert not {("security", 10), ("security", 12)} & notes
    assert {("performance", 2), ("performance", 15), ("testing", 17), ("testing", 22)} <= notes


def test_verify_false_is_a_tls_note_only_where_verify_means_tls():
    source = (
        b"import requests\n"
        b"requests.get(url, verify=False)\n"
        b"session.post(url, verify=False)\n"
        b"mp.findroot(f, x0, verify=False)\n"
        b"super().cert_verify(conn, url, verify=False, cert=None)\n"
        b"@array_function_dispatch(_dispatcher, verify=False)\n"
        b"def f(): pass\n"
    )
    analysis, _ = analyze_source("client.py", source)
    assert {n.line for n in analysis.notes if n.category == "security"} == {2, 3, 5}


RISKY_CPP = b"""#include <thread>
#include <gtest/gtest.h>
void copy(char* dst, const char* src, float* f) {
  strcpy(dst, src);  // unsafe
  sprintf(dst, "%s", src);
  auto* raw = reinterpret_cast<int*>(f);
  // strcpy(dst, src) in a comment is not code
#pragma omp parallel for
  for (int i = 0; i < 4; ++i) {}
  std::thread worker([] {});
}
TEST(CopyTest, Copies) { EXPECT_EQ(1, 1); }
"""


def test_c_risks_parallelism_and_tests_are_noted():
    analysis, _ = analyze_source("copy_test.cc", RISKY_CPP)
    notes = {(n.category, n.line) for n in analysis.notes}
    assert {("security", 4), ("security", 5), ("security", 6), ("performance", 8), ("performance", 10)} <= notes
    assert {("testing", 0), ("testing", 12)} <= notes
    assert ("security", 7) not in notes
    assert names(analysis, "Test Cases") == ("CopyTest.Copies",)


def test_markdown_keywords_have_no_prose_words():
    overview = analyze_fixture("pytorch/docs/source/torch.compiler_dynamo_overview.md")
    assert overview.title == "Dynamo Overview"
    assert overview.purpose.startswith("TorchDynamo (or simply Dynamo) is a Python-level Just-In-Time (JIT) compiler")
    for group in overview.keywords:
        if group.kind not in ("Headings", "Links"):
            assert not PROSE_WORDS & {name.lower() for name in group.names}, group.kind
    assert {"torch.compile", "torch._dynamo.optimize", "TorchInductor"} <= set(names(overview, "Code Terms"))
    assert "torch.compiler_overview" in names(overview, "References")
    assert "What is a guard?" in names(overview, "Headings")


def test_myst_eval_rst_blocks_are_read_as_rst():
    cpu = analyze_fixture("pytorch/docs/source/cpu.md")
    assert cpu.title == "torch.cpu"
    assert {"current_device", "StreamContext", "Stream", "torch.cpu"} <= set(names(cpu, "Code Terms"))
    assert {"autosummary", "currentmodule", "{eval-rst}"} <= set(names(cpu, "Directives"))
    deterministic = analyze_fixture("pytorch/docs/source/deterministic.md")
    assert "torch.use_deterministic_algorithms" in names(deterministic, "Code Terms")


def test_rst_title_sections_and_roles():
    faq = analyze_fixture("pytorch/docs/source/notes/faq.rst")
    assert faq.title == "Frequently Asked Questions"
    assert [s.name for s in faq.symbols if s.kind == "section"] == [
        "Frequently Asked Questions",
        'My model reports "cuda runtime error(2): out of memory"',
        "My GPU memory isn't freed properly",
        "My out of memory exception handler can't allocate memory",
        "My data loader workers return identical random numbers",
        "My recurrent network doesn't work with data parallelism",
    ]
    assert symbols(faq, "target")["dataloader-workers-random-seed"].line == 131
    assert "torch.utils.data.DataLoader" in names(faq, "Code Terms")
    randomness = analyze_fixture("pytorch/docs/source/notes/randomness.rst")
    assert randomness.purpose.startswith("Completely reproducible results are not guaranteed")
    assert [s.line for s in randomness.symbols if s.kind == "section"] == [1, 16, 39, 50]
    assert "torch.manual_seed" in names(randomness, "Code Terms")


def test_cmake_targets_variables_and_tests():
    cmake = analyze_fixture("pytorch/c10/cuda/CMakeLists.txt")
    assert cmake.purpose == "Build file for the C10 CUDA."
    assert symbols(cmake, "target")["c10_cuda"].line == 46
    assert {"C10_CUDA_SRCS", "CMAKE_BINARY_DIR"} <= set(names(cmake, "Variables"))
    assert "../../cmake/public/cuda.cmake" in cmake.imports
    assert [(n.category, n.line) for n in cmake.notes] == [("testing", 64)]


def test_yaml_entries_and_purpose():
    tags = analyze_fixture("pytorch/aten/src/ATen/native/tags.yaml")
    assert tags.purpose.startswith("This yaml file contains all the possible tags")
    assert {"inplace_view", "pt2_compliant_tag", "core"} <= set(names(tags, "Entries"))
    assert names(tags, "Keys") == ("desc", "tag")


def test_language_labels():
    expected = {
        "a.py": ("python", "Python Source Code", "python"),
        "a.h": ("cpp", "C++ Header", "cpp"),
        "a.c": ("c", "C Source Code", "c"),
        "a.cu": ("cuda", "CUDA Source", "cuda"),
        "a.md": ("markdown", "Markdown Documentation", "markdown"),
        "a.rst": ("rst", "reStructuredText Documentation", "rst"),
        "x/CMakeLists.txt": ("cmake", "CMake Build Script", "cmake"),
        "a.yml": ("yaml", "YAML Configuration", "yaml"),
        "a.sh": ("bash", "Shell Script", "bash"),
        "LICENSE": ("text", "Text File", "text"),
    }
    for path, labels in expected.items():
        analysis, _ = analyze_source(path, b"x\n")
        assert (analysis.language, analysis.type_label, analysis.fence_lang) == labels, path


def test_same_analysis_under_any_hash_seed():
    probe = (
        "import json, sys; sys.path[:0] = ['tests/analyzers', 'tests/support']; import test_analyzers as t; "
        "print(json.dumps([t.as_json(t.analyze_fixture(f)) for f in t.FIXTURE_SOURCES]))"
    )
    root = Path(__file__).parents[2]
    outputs = {
        subprocess.run(
            [sys.executable, "-c", probe],
            capture_output=True,
            text=True,
            check=True,
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1


@pytest.mark.parametrize(
    ("path", "first_line", "language"),
    [
        ("scripts/run", b"#!/usr/bin/env python3", "python"),
        ("tools/build", b"#!/bin/bash -e", "bash"),
        ("tools/envs", b"#!/usr/bin/env -S python3 -u", "python"),
        ("include/c++/vector", b"// <vector> -*- C++ -*-", "cpp"),
        ("NOTICE", b"Plain words.", "text"),
    ],
)
def test_files_without_extension_are_recognised_by_content(path, first_line, language):
    analysis, _ = analyze_source(path, first_line + b"\n")
    assert analysis.language == language and analysis.degraded == ""
    assert "-*-" not in analysis.purpose


# --- hostile and unusual input ---------------------------------------------------------------


def test_invalid_utf8_uses_a_stated_fallback():
    analysis, text = analyze_source("legacy.py", b"# caf\xe9 \x93quoted\x94\nx = 1\n")
    assert analysis.encoding == "cp1252 (not valid UTF-8)"
    assert text == "# café “quoted”\nx = 1\n"
    analysis, text = analyze_source("raw.txt", b"abc \x81\xff\n")
    assert analysis.encoding == "latin-1 (not valid UTF-8)"
    assert text == "abc \x81ÿ\n" and "\x81" not in analysis.purpose


def test_utf8_bom_is_removed():
    analysis, text = analyze_source("bom.py", b'\xef\xbb\xbf"""Doc."""\n')
    assert (analysis.encoding, analysis.purpose, text) == ("utf-8 (BOM removed)", "Doc.", '"""Doc."""\n')


def test_nul_bytes_give_a_metadata_only_page():
    analysis, text = analyze_source("logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    assert text is None
    assert (analysis.binary, analysis.language, analysis.type_label, analysis.lines) == (True, "binary", "PNG Image", 0)
    assert analysis.degraded.startswith("binary content")


class _UntouchableBytes(bytes):
    """Bytes that fail the test when anything but their length is read."""

    def __getitem__(self, index):
        raise AssertionError("the oversized file was read")

    def decode(self, *args, **kwargs):
        raise AssertionError("the oversized file was decoded")

    def __contains__(self, item):
        raise AssertionError("the oversized file was scanned")

    def startswith(self, *args):
        raise AssertionError("the oversized file was read")


def test_oversized_file_is_not_read():
    data = b"x" * (50 * 1024 * 1024)
    analysis, text = analyze_source("huge.py", data)
    assert text is None and analysis.binary
    assert analysis.degraded == "52,428,800 bytes exceeds max_file_bytes (1,000,000): metadata only"
    assert (analysis.size, analysis.language) == (52_428_800, "python")
    analysis, _ = analyze_source("huge.py", _UntouchableBytes(b"y" * 2000), max_bytes=1000)
    assert analysis.size == 2000


def test_empty_and_blank_files():
    analysis, text = analyze_source("empty.py", b"")
    assert (text, analysis.purpose, analysis.lines, analysis.symbols, analysis.keywords) == (
        "",
        "Empty file.",
        0,
        (),
        (),
    )
    assert analyze_source("pkg/__init__.py", b"")[0].purpose.startswith("Empty `__init__.py`")
    assert analyze_source("blank.md", b"\n  \n")[0].purpose == "Blank file: whitespace only."


def test_python_syntax_error_degrades_to_lexical_analysis():
    analysis, _ = analyze_source("broken.py", b"import os\n\ndef f(:\n    pass\n\nclass Kept:\n    pass\n")
    assert analysis.degraded == "Python syntax error at line 3: invalid syntax; showing a lexical analysis"
    assert {(s.kind, s.name, s.line) for s in analysis.symbols} == {("function", "f", 3), ("class", "Kept", 6)}


def test_unexpected_analyzer_error_degrades_with_its_reason():
    source = ("X = " + "+".join(["1"] * 5000) + "\ndef kept():\n    pass\n").encode()
    analysis, _ = analyze_source("deep.py", source)
    assert analysis.degraded.startswith("python analyzer failed (RecursionError: ")
    assert analysis.degraded.endswith("; showing a lexical analysis")
    assert [s.name for s in analysis.symbols] == ["kept"]


def test_partly_broken_cpp_is_still_parsed():
    good = "".join(f"// Returns {n}.\nint good{n}(int x) {{\n  return x + {n};\n}}\n\n" for n in range(8))
    source = f"#include <vector>\nnamespace a {{\n{good}void bad( {{ ;\nstruct S {{ int y; }};\n}}\n"
    analysis, _ = analyze_source("partly.cpp", source.encode())
    assert analysis.degraded == ""
    assert {f"good{n}" for n in range(8)} <= {name.rsplit("::", 1)[-1] for name in symbols(analysis, "function")}
    assert analysis.imports == ("vector",)


def test_useless_cpp_parse_degrades():
    analysis, _ = analyze_source("broken.cpp", b"namespace a { class X { void f( ; int y = ; } }}} template<> struct\n")
    assert analysis.degraded.startswith("C++ parse incomplete: lines 1 ")
    assert names(analysis, "Namespaces") == ("a",)


HOSTILE_RST = b"""Title
=====

.. include:: /etc/passwd

.. raw:: html
   :file: /etc/hostname

.. csv-table:: remote
   :url: http://127.0.0.1:9/data.csv

.. unknown-directive:: x

Text with :unknown-role:`x` and `unclosed literal.

Section
-------
Body.
"""


def test_rst_never_prints_reads_files_or_raises(capfd):
    analysis, _ = analyze_source("hostile.rst", HOSTILE_RST)
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
    assert analysis.degraded == "" and analysis.title == "Title"
    assert "root:" not in as_json(analysis)
    assert {"include", "raw", "csv-table", "unknown-directive"} <= set(names(analysis, "Directives"))


def test_markdown_fences_inside_longer_fences():
    source = (
        b"# Title\n\nIntro with `code_name`.\n\n"
        b"````markdown\n```python\n# not a heading\n```\n````\n\n## Next\n\n```\nunclosed"
    )
    analysis, text = analyze_source("fences.md", source)
    assert names(analysis, "Headings") == ("Next", "Title")
    assert names(analysis, "Code Languages") == ("markdown",)
    assert names(analysis, "Code Terms") == ("code_name",)
    assert text == source.decode()


@pytest.mark.parametrize("path", ["-rf.py", " spaced name .py", "ünïcode/файл.py", "--.md"])
def test_file_names_do_not_matter(path):
    analysis, _ = analyze_source(path, b"def f():\n    pass\n")
    assert analysis.path == path and analysis.degraded == ""


def test_crlf_line_endings_are_normalised():
    lf = b'"""Doc line.\n\nMore."""\nimport os\n\n\ndef g():\n    return 1\n'
    crlf_analysis, text = analyze_source("crlf.py", lf.replace(b"\n", b"\r\n"))
    lf_analysis, _ = analyze_source("crlf.py", lf)
    assert "\r" not in text
    assert crlf_analysis.encoding == "utf-8, CRLF line endings"
    assert crlf_analysis.symbols == lf_analysis.symbols and crlf_analysis.lines == lf_analysis.lines == 8


GARBAGE = [
    bytes(range(1, 256)) * 4,
    b"(" * 3000 + b"[" * 3000,
    b"```\n" * 50 + b"````{eval-rst}\n.. include:: /etc/passwd\n.. raw:: html\n   :file: /etc/passwd\n",
    b'"""' + b"\\" * 100 + b"'''\n#if\n#endif\n#endif\n{{{{}}}}}}}}\n",
    "\u2028\u2029\ufeff\U0001f600 \ud7ff".encode() + b"\n\t\v\f",
]


@pytest.mark.parametrize(
    "path",
    ["g.py", "g.cpp", "g.c", "g.cu", "g.md", "g.rst", "g.yaml", "CMakeLists.txt", "g.sh", "g.json", "g.txt", "g.zzz"],
)
@pytest.mark.parametrize("data", GARBAGE, ids=["bytes", "nesting", "fences", "quotes", "unicode"])
def test_no_input_makes_an_analyzer_raise(path, data):
    analysis, text = analyze_source(path, data)
    assert text is not None and analysis.lines > 0
    assert analyze_source(path, data)[0] == analysis


# --- keyword hygiene --------------------------------------------------------------------------


def test_stopwords_drop_prose_and_keep_identifiers():
    for word in ("The", "However", "A", "At", "You", "then", "x", "42"):
        assert is_noise_word(word), word
    for word in ("GraphModule", "torch.compile", "BINARY_ADD", "at::native", "fill_", "CUDA", "Tensor"):
        assert not is_noise_word(word), word
    assert is_strong_identifier("torch._dynamo") and is_strong_identifier("FP16")
    assert not is_strong_identifier("Dynamo")


def test_code_terms_are_identifiers_only():
    assert code_term("torch.compile()") == "torch.compile"
    assert code_term("~torch.Tensor.add_") == "torch.Tensor.add_"
    assert code_term("pip install depyf") == ""
    assert code_term("L['a']") == ""
    assert code_term("The") == ""


def test_import_stays_cheap():
    heavy = ("docutils", "pygments", "tree_sitter", "markdown_it")
    probe = f"import sys, analyzers; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=Path(__file__).parents[2]
    )
    assert result.stdout.strip() == "[]"
