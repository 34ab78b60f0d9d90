"""C, C++ and CUDA on code shaped like fmt, googletest and CUDA kernels: snapshots and facts."""

from __future__ import annotations

import glob
from pathlib import Path

import pytest
from case_files import CASES, analyze_case, assert_case_snapshot, names

from analyzers import analyze_source
from analyzers.c_branches import mask_branches
from analyzers.c_macros import mask_macros

C_FAMILY = ["fmt/include/fmt/args.h", "fmt/test/args-test.cc", "cuda/scale_kernel.cu"]


@pytest.mark.parametrize("case", C_FAMILY)
def test_analysis_snapshot(case):
    analysis = analyze_case(case)
    assert_case_snapshot(case, analysis)


@pytest.mark.parametrize("case", C_FAMILY)
def test_every_definition_is_on_its_true_line(case):
    lines = (CASES / case).read_text().split("\n")
    analysis = analyze_case(case)
    assert analysis.degraded == ""
    for symbol in analysis.symbols:
        short = symbol.signature.split("(", 1)[0] if symbol.kind == "test" else symbol.name.split("::")[-1]
        assert short.split("<", 1)[0] in lines[symbol.line - 1], symbol


def test_macro_wrapped_namespace_and_export_macros_keep_the_definitions():
    args = analyze_case("fmt/include/fmt/args.h")
    assert names(args, "Namespaces") == ("detail",)
    assert "dynamic_format_arg_store" in names(args, "Classes")
    assert "detail::dynamic_arg_list" in names(args, "Classes")
    assert {"dynamic_format_arg_store::size", "dynamic_format_arg_store::clear"} <= set(names(args, "Methods"))
    assert "vprint_args" in names(args, "Functions")
    assert names(args, "Includes") == ("format.h", "functional", "memory", "vector")
    assert names(args, "Macros") == ("FMT_ARGS_VERSION",)
    assert any("`FMT_BEGIN_NAMESPACE` (line 16)" in pattern for pattern in args.patterns)


def test_template_parameters_are_never_types():
    for case in C_FAMILY:
        analysis = analyze_case(case)
        for kind in ("Classes", "Structs", "Unions", "Enums"):
            assert not {"T", "Char", "Context", "Arg", "scalar_t"} & set(names(analysis, kind)), (case, kind)


def test_googletest_cases_and_specializations():
    tests = analyze_case("fmt/test/args-test.cc")
    assert names(tests, "Test Cases") == (
        "args_fixture.starts_empty",
        "args_test.basic",
        "args_test.strings_and_refs",
        "typed_args_test.pushes_a_value",
        "width_test.pads",
    )
    methods = set(names(tests, "Methods"))
    specialized = {"formatter<int*>::format", "formatter<copy_throwable>::parse", "formatter<copy_throwable>::format"}
    assert specialized <= methods
    assert not any(pattern.startswith("Overloads") for pattern in tests.patterns)


def test_cuda_kernels():
    kernel = analyze_case("cuda/scale_kernel.cu")
    assert names(kernel, "Kernels") == ("demo::scale_kernel", "demo::sum_kernel")
    assert "demo::blocks_for" in names(kernel, "Functions")
    performance = {note.line for note in kernel.notes if note.category == "performance"}
    assert {9, 12, 19, 31} <= performance


def test_unparsable_part_is_named_and_the_rest_kept():
    good = b"#include <a.h>\nnamespace n {\nint good(int x) { return x; }\n}\n"
    source = good + b"@@ alpha ?? beta :: gamma " * 20 + b"\n#define LATE 1\n"
    analysis, _ = analyze_source("broken.cc", source)
    assert analysis.degraded.startswith("C++ parse incomplete: lines 5")
    assert "n::good" in names(analysis, "Functions")
    assert names(analysis, "Macros") == ("LATE",)
    assert analysis.imports == ("a.h",)


def test_masking_keeps_offsets_and_preprocessor_lines():
    source = (CASES / "fmt/include/fmt/args.h").read_bytes() + b"#define FMT_API __attribute__((visibility))\n"
    masked = mask_macros(source)
    assert len(masked) == len(source)
    assert [i for i, b in enumerate(masked) if b == 10] == [i for i, b in enumerate(source) if b == 10]
    assert b"#define FMT_API __attribute__((visibility))" in masked
    assert b"FMT_BEGIN_NAMESPACE" not in masked


@pytest.mark.parametrize("header", sorted(glob.glob("/usr/include/c++/*/bits/stl_vector.h"))[-1:])
def test_a_real_libstdcxx_header_is_read_by_tree_sitter(header):
    analysis, _ = analyze_source("bits/stl_vector.h", Path(header).read_bytes())
    assert "lexical" not in analysis.degraded
    assert {"std::vector", "std::_Vector_base"} <= set(names(analysis, "Classes") + names(analysis, "Structs"))


@pytest.mark.parametrize(
    "path",
    ["test_x.py", "x_test.py", "x-test.cc", "x_test.cc", "x_unittest.cc", "test/x.cpp", "tests/test_x.cpp",
     "x.test.ts", "x_spec.rb"],
)  # fmt: skip
def test_test_files_by_every_common_convention_are_noted(path):
    analysis, _ = analyze_source(path, b"int f() { return 1; }\n")
    assert any(note.category == "testing" and note.line == 0 for note in analysis.notes), path


def test_a_source_beside_its_tests_is_no_test_file():
    analysis, _ = analyze_source("src/latest.cc", b"int f() { return 1; }\n")
    assert not any(note.category == "testing" for note in analysis.notes)


@pytest.mark.parametrize(
    ("written", "masked"),
    [
        (b"  if FMT_CONSTEXPR20 (need_copy<T>::value)\n", b"  if                 (need_copy<T>::value)\n"),
        (b"Py_DEPRECATED(3.9) PyAPI_FUNC(int) g(void);\n", b"                              int  g(void);\n"),
        (b"class GTEST_API_ Message {\n", b"class            Message {\n"),
        (b"class GTEST_API_ [[nodiscard]] AssertHelper {\n", b"class            [[nodiscard]] AssertHelper {\n"),
        (b"void f() const _GLIBCXX_NOEXCEPT {}\n", b"void f() const                   {}\n"),
        (b"namespace std _GLIBCXX_VISIBILITY(default)\n{\n", b"namespace std                             \n{\n"),
        (b"#define FMT_API __attribute__((visibility))\n", b"#define FMT_API __attribute__((visibility))\n"),
        (b"Py_ssize_t\nPyList_Size(PyObject *op)\n", b"Py_ssize_t\nPyList_Size(PyObject *op)\n"),
        (b"  PyObject_HEAD\n  int x;\n", b"               \n  int x;\n"),
        (b"GMOCK_DEFINE_X_(void, );  // NOLINT\n", b"GMOCK_DEFINE_X_(      );  // NOLINT\n"),
    ],
)
def test_macro_shapes_are_blanked(written, masked):
    assert mask_macros(written) == masked


def test_an_attribute_after_an_export_macro_keeps_the_rest_of_the_file():
    """googletest's `class GTEST_API_ [[nodiscard]] AssertHelper`: once read as one function running
    to the end of the file, which cost every definition after it."""
    source = (b"namespace testing {\nclass GTEST_API_ [[nodiscard]] AssertHelper {\n public:\n  void Run();\n};\n"
              b"inline int AddGlobalTestEnvironment(int env) { return env; }\n}  // namespace testing\n")
    analysis, _ = analyze_source("gtest.h", source)
    assert names(analysis, "Classes") == ("testing::AssertHelper",)
    assert names(analysis, "Methods") == ("testing::AssertHelper::Run",)
    assert names(analysis, "Functions") == ("testing::AddGlobalTestEnvironment",)


def test_code_switched_off_by_if_0_is_no_definition():
    """googletest shows how to use it in `#if 0` blocks: those classes, includes and macros do not exist."""
    source = (b"#include <live.h>\n#if 0\n#include <example.h>\n#define EXAMPLE 1\nclass FooTest {};\n"
              b"#elif defined(X)\nclass OnX {};\n#else\nclass Otherwise {};\n#endif\n"
              b"#if 0  // kept for reference\nint old();\n#else\nint current();\n#endif\n#define LIVE 2\n")
    analysis, _ = analyze_source("example.h", source)
    assert names(analysis, "Classes") == ("OnX", "Otherwise")
    assert names(analysis, "Functions") == ("current",)
    assert names(analysis, "Macros") == ("LIVE",)
    assert analysis.imports == ("live.h",)


UNBALANCED = b"""namespace t {
#if defined(_MSC_VER) && (_MSC_VER < 1910)
TEST(ComparisonBaseTest, DISABLED_WorksWithMoveOnly) {
#else
TEST(ComparisonBaseTest, WorksWithMoveOnly) {
#endif
  int m{0};
}

struct AmbiguousCastTypes {
  class VirtualDerived {};
};
}  // namespace t
"""


def test_if_branches_that_each_open_a_brace_do_not_swallow_the_rest_of_the_file():
    analysis, _ = analyze_source("matchers_test.cc", UNBALANCED)
    assert names(analysis, "Test Cases") == ("ComparisonBaseTest.DISABLED_WorksWithMoveOnly",)
    assert names(analysis, "Structs") == ("t::AmbiguousCastTypes",)
    assert names(analysis, "Classes") == ("t::AmbiguousCastTypes::VirtualDerived",)
    assert analysis.degraded == ""


def test_only_unbalanced_alternatives_are_blanked_with_every_offset_kept():
    masked = mask_branches(UNBALANCED)
    assert len(masked) == len(UNBALANCED)
    assert [i for i, b in enumerate(masked) if b == 10] == [i for i, b in enumerate(UNBALANCED) if b == 10]
    assert b"DISABLED_WorksWithMoveOnly) {" in masked
    assert b"#if" not in masked and b"#else" not in masked and b"#endif" not in masked
    assert b"TEST(ComparisonBaseTest, WorksWithMoveOnly)" not in masked
    balanced = b"#ifdef A\nint f() { return 1; }\n#else\nint f() { return 2; }\n#endif\n"
    braces_in_text = b'#if A\nconst char* s = "{";  // {\n#else\nconst char* s = "}";\n#endif\n'
    nested = b"#if A\nvoid f() {\n#if B\nint x;\n#endif\n#else\nvoid f(int) {\n#endif\n}\n"
    for source in (balanced, braces_in_text):
        assert mask_branches(source) == source
    assert b"#else\nvoid f(int) {" in mask_branches(nested)  # only innermost groups are read as one


def test_a_function_body_run_past_its_end_is_parsed_again_from_the_definition_at_column_0():
    """A macro argument the parse misreads can make a body swallow the definitions after it, with no
    error anywhere; a definition at the start of a line inside a body gives it away."""
    source = b"""namespace checks {
TEST(errors, nested_expectations) {
  EXPECT_NONFATAL_FAILURE(
      EXPECT_THROW(throw std::runtime_error("first"), std::logic_error),
      "");
}

TEST(errors, after_the_nested_one) {
  if (ready()) run();
}

struct Fixture {
  int value;
};
}  // namespace checks
"""
    analysis, _ = analyze_source("checks_test.cc", source)
    assert [(s.kind, s.name, s.line) for s in analysis.symbols] == [
        ("namespace", "checks", 1),
        ("test", "errors.nested_expectations", 2),
        ("test", "errors.after_the_nested_one", 8),
        ("struct", "checks::Fixture", 12),
    ]


def test_parsing_parts_again_is_bounded_by_twice_the_file():
    """Bodies nested to the end of the file, each holding the next at column 0: every rescue would
    parse almost the whole file again; the budget stops them after twice the file's size."""
    levels = 12
    source = b"".join(b"void f%d() {\n  int pad[] = {1, 2, 3, 4, 5, 6, 7, 8};\nstruct S%d {};\n" % (i, i)
                      for i in range(levels)) + b"}\n" * levels
    analysis, _ = analyze_source("deep.cc", source)
    found = [s.name for s in analysis.symbols if s.kind == "struct"]
    assert found[:2] == ["S0", "S1"]
    assert len(found) < levels
