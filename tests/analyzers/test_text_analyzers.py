"""CMake, reStructuredText, TOML, Markdown and plain text on small realistic files: snapshots and facts."""

from __future__ import annotations

import pytest
from case_files import analyze_case, assert_case_snapshot, names

from analyzers import analyze_source

TEXT_CASES = ["cmake/CMakeLists.txt", "rst/guide.rst", "toml/pyproject.toml", "markdown/README.md"]


@pytest.mark.parametrize("case", TEXT_CASES)
def test_analysis_snapshot(case):
    analysis = analyze_case(case)
    assert analysis.degraded == ""
    assert_case_snapshot(case, analysis)


def test_cmake_keeps_quotes_and_scopes_variables():
    cmake = analyze_case("cmake/CMakeLists.txt")
    signatures = {symbol.name: symbol.signature for symbol in cmake.symbols}
    assert signatures["DEMO_DOC"] == 'option(DEMO_DOC "Generate the doc target." ${DEMO_MASTER_PROJECT})'
    assert signatures["DEMO_INC_DIR"].startswith('set(DEMO_INC_DIR "${CMAKE_CURRENT_SOURCE_DIR}/include" CACHE')
    assert not {"headers", "_demo_last_warning", "${VAR}"} & set(signatures)
    assert not {"headers", "header", "VAR", "message"} & set(names(cmake, "Variables"))
    assert names(cmake, "Options") == ("DEMO_DOC", "DEMO_TEST")


def test_rst_sections_nest_as_docutils_reads_them():
    guide = analyze_case("rst/guide.rst")
    outline = [(symbol.signature.split(" ", 1)[0], symbol.name, symbol.line) for symbol in guide.symbols]
    assert outline == [
        ("#", "User Guide", 2),
        ("##", "Installation", 7),
        ("###", "Building", 12),
        ("####", "Options", 17),
        ("###", "Testing", 22),
        ("##", "Usage", 27),
        ("###", "Format strings", 32),
    ]


def test_pyproject_lists_the_project():
    pyproject = analyze_case("toml/pyproject.toml")
    assert names(pyproject, "Project") == ("demo-formatter",)
    assert names(pyproject, "Dependencies") == ("Jinja2", "tomli")
    assert names(pyproject, "Scripts") == ("demo-format",)
    assert names(pyproject, "Tools") == ("pytest", "ruff", "setuptools")
    assert "tool.pytest.ini_options" in names(pyproject, "Tables")
    assert not {"Chat", "Donate"} & {name for group in pyproject.keywords for name in group.names}


def test_plain_toml_lists_tables_and_keys():
    source = b'title = "demo"\n\n[server]\nport = 8080\n\n[[plugins]]\nname = "a"\n'
    analysis, _ = analyze_source("config/settings.toml", source)
    assert [(s.kind, s.name, s.line) for s in analysis.symbols] == [
        ("key", "title", 1),
        ("table", "server", 3),
        ("table", "plugins", 6),
    ]


def test_markdown_title_is_the_top_h1_and_keywords_hold_no_prose():
    readme = analyze_case("markdown/README.md")
    assert readme.title == ""
    assert readme.purpose.startswith("{demo} is an open-source formatting library")
    every = {name for group in readme.keywords if group.kind != "Headings" for name in group.names}
    assert not {"i.e", "U.S", "BeOpen", "bool", "int", "FMT_"} & every
    titled, _ = analyze_source("README.md", b"<p>logo</p>\n\n# demo\n\nText.\n\n# Features\n")
    assert titled.title == "demo"


def test_plain_text_keeps_code_shapes_only():
    text = b"BeOpen.com license, i.e. the U.S. terms. BeOpen Python. Use GraphModule(x), torch.nn and my_func.\n"
    analysis, _ = analyze_source("LICENSE.txt", text)
    assert names(analysis, "Identifiers") == ("GraphModule", "my_func", "torch.nn")


def test_poetry_pyproject_and_broken_toml():
    poetry = b'[tool.poetry]\nname = "demo"\n\n[tool.poetry.dependencies]\npython = "^3.10"\nrequests = "^2"\n'
    analysis, _ = analyze_source("pyproject.toml", poetry)
    assert names(analysis, "Project") == ("demo",)
    assert names(analysis, "Dependencies") == ("requests",)
    broken, _ = analyze_source("config.toml", b"[server\nport = 1\n")
    assert broken.degraded.startswith("TOML parse failed")


def test_markdown_heading_attributes_are_no_part_of_the_title():
    source = b"# Primer {#primer}\n\n## Test Fixtures {#same-data}\n\n## Setup {: .note }\n\n## Sets {a, b}\n"
    analysis, _ = analyze_source("docs/primer.md", source)
    assert analysis.title == "Primer"
    assert names(analysis, "Headings") == ("Primer", "Sets {a, b}", "Setup", "Test Fixtures")
