"""The source tree's test-file matching: every common naming convention finds the file it tests."""

from __future__ import annotations

import pytest

from bot.config import RepoConfig
from bot.engine import sources
from bot.engine.sources import SourceTree

CONVENTIONS = [
    ("pkg/test_linear.py", "pkg/linear.py"),
    ("pkg/linear_test.py", "pkg/linear.py"),
    ("src/format-test.cc", "src/format.cc"),
    ("src/format_test.cc", "src/format.cc"),
    ("src/format_unittest.cc", "src/format.cc"),
    ("test/args.cpp", "include/fmt/args.h"),
    ("tests/test_args.cpp", "include/fmt/args.h"),
    ("web/button.test.ts", "web/button.ts"),
    ("spec/user_spec.rb", "app/models/user.rb"),
    ("src/test/java/ParserTest.java", "src/main/java/Parser.java"),
]


@pytest.mark.parametrize(("test", "source"), CONVENTIONS, ids=[t for t, _ in CONVENTIONS])
def test_a_test_file_by_every_common_convention_is_found_for_its_source(test, source):
    tree = SourceTree([test, source, "pkg/other.py"], RepoConfig())
    assert tree.tests_for(source) == (test,)
    assert tree.tests_for(test) == ()
    assert test in tree.dependents(source) or source in tree.dependents(test)


@pytest.mark.parametrize("path", ["tests/__init__.py", "tests/conftest.py", "tests/README.md", "latest.py",
                                  "contest.py", "test/data.json", "src/attestation.py"])
def test_files_that_only_look_like_tests_test_nothing(path):
    assert sources.tested_stem(path) is None
