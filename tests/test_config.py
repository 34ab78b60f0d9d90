"""`.github/docbot.yml`: defaults, validation, hostile files."""

from __future__ import annotations

import pytest

from bot.config import RepoConfig, apply_overrides, compile_globs, parse_config
from bot.errors import ConfigError


def test_missing_or_empty_file_gives_defaults():
    assert parse_config(None) == RepoConfig()
    assert parse_config("") == RepoConfig()
    assert parse_config("# only a comment\n") == RepoConfig()


def test_every_documented_setting_is_read():
    config = parse_config(
        "docs_dir: site/docs/\ninclude: ['src/**']\nexclude: ['src/gen/**', '*.lock']\nmode: branch\n"
        "summary_comment: false\ncheck_run: false\nproject_name: Widgets\nmax_files: 50\nmax_file_bytes: 2048\n"
    )
    assert config.docs_dir == "site/docs" and config.include == ("src/**",)
    assert config.exclude == ("src/gen/**", "*.lock") and config.mode == "branch"
    assert (config.summary_comment, config.check_run, config.project_name) == (False, False, "Widgets")
    assert (config.max_files, config.max_file_bytes) == (50, 2048)


@pytest.mark.parametrize(
    "text",
    [
        "docs_dir: ..\n", "docs_dir: a/../../b\n", "docs_dir: /abs\n", "docs_dir: .git/hooks\n",
        "docs_dir: .GitHub/Workflows/docs\n", "docs_dir: a/.GIT/b\n",
        "docs_dir: ''\n", "docs_dir: 'a\\\\b'\n", "mode: everything\n", "check_run: 'yes'\n",
        "max_files: 0\n", "max_files: true\n", "include: [1, 2]\n", "project_name: \"a\\nb\"\n",
        "!!python/object/apply:os.system ['echo hacked']\n", "key: [unclosed\n", "\xff\xfe: 1\n",
        "a: &a [x]\nb: *a\n",
    ],
)
def test_hostile_or_malformed_files_raise_a_clear_config_error(text: str):
    with pytest.raises(ConfigError) as info:
        parse_config(text.encode("latin-1") if "\xff" in text else text)
    assert "docbot.yml" in str(info.value)


def test_oversized_file_is_refused_without_parsing():
    with pytest.raises(ConfigError, match="limit"):
        parse_config(b"# " + b"x" * 70_000)


def test_alias_bomb_does_not_explode():
    levels = zip("abcdefgh", "bcdefghi", strict=True)
    bomb = "a: &a ['x','x','x','x','x','x','x','x','x']\n"
    bomb += "".join(f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n" for p, c in levels)
    bomb += "include: *i\n"
    with pytest.raises(ConfigError):
        parse_config(bomb)


def test_generated_pages_are_never_sources():
    config = RepoConfig()
    assert not config.is_source("docs/a.py_docs.md")
    assert not config.is_source("docs/pkg/index.md")
    assert config.is_source("docs/source/cpu.md")
    assert not config.is_source("third_party/x/y.c")


def test_globs_follow_gitignore_rules():
    pattern = compile_globs(("src/**/*.py", "*.md", "build/", "!keep.md"))
    assert pattern.match_file("src/a.py") and pattern.match_file("src/a/b/c.py")
    assert pattern.match_file("README.md") and pattern.match_file("docs/README.md")  # no slash: any depth
    assert pattern.match_file("build/x/y.o") and not pattern.match_file("keep.md")


def test_a_catastrophic_glob_matches_in_linear_time():
    config = RepoConfig(include=("**",), exclude=("*a" * 50 + "b",))  # backtracks exponentially in Python's re
    assert config.is_source("a" * 200 + ".py")


@pytest.mark.parametrize("path", ["poetry.lock", "web/package-lock.json", "img/logo.PNG", "dist/app.whl", "go.sum"])
def test_binary_and_lock_files_are_left_out_unless_included_by_name(path):
    assert not RepoConfig().is_source(path)
    assert RepoConfig(include=("**", path)).is_source(path)


@pytest.mark.parametrize(("given", "source"), [({"docs_dir": "../x"}, "--docs-dir"), ({"exclude": ["/"]}, "--exclude"),
                                               ({"include": ["a\x01"]}, "--include")])
def test_a_bad_option_is_named_as_the_option(given, source):
    with pytest.raises(ConfigError, match=f"^{source}: "):
        apply_overrides(RepoConfig(), given)


def test_a_bad_setting_in_the_file_is_named_as_the_file():
    with pytest.raises(ConfigError, match=r"^\.github/docbot\.yml: exclude pattern '/' can never match"):
        parse_config("exclude: ['/']\n")


def test_command_line_overrides_are_validated():
    config = apply_overrides(RepoConfig(), {"docs_dir": "out", "include": ["a/**"], "project_name": None})
    assert config.docs_dir == "out" and config.include == ("a/**",)
    with pytest.raises(ConfigError):
        apply_overrides(RepoConfig(), {"docs_dir": "../x"})


def test_bare_off_means_mode_off():
    assert parse_config("mode: off\n").mode == "off"
    assert parse_config("mode: 'off'\n").mode == "off"



def test_without_generated_agrees_with_is_generated():
    config = RepoConfig(docs_dir="site/docs")
    paths = ["site/docs/index.md", "site/docs/a/doc.md", "site/docs/x.py_docs.md", "site/docs/x.py_kw.md",
             "site/docs/src/real.md", "site/docs/a/sub.md", "site/docs/my_index.md", "index.md", "a.py_docs.md",
             "site/docsx/index.md", "site/docs/a/b_docs.mdx"]
    assert config.without_generated(paths) == [p for p in paths if not config.is_generated(p)]
