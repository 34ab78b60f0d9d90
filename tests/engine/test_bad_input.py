"""Hostile and odd input: a run never crashes, never loses pages, never writes outside docs_dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from gitrepo import Repo

from bot.cli import main


def generate(repo: Repo, *args: str) -> int:
    return main(["generate", "--repo", str(repo.path), *args])


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo.init(tmp_path / "proj", {"ok.py": "X = 1\n"})


ODD_FILES = {
    "latin1.py": "# caf\xe9\nNAME = 'caf\xe9'\n".encode("latin-1"),
    "nul.raw": b"\x00\x01\x02binary\x00" * 100,  # binary content under a name docbot does not know
    "fences.md": "# Fences\n\n```python\nx = 1\n```\n\n````text\n```\n````\n",
    "has space.py": "def f():\n    pass\n",
    "ünïcödé.py": "VALUE = 'ü'\n",
    "-leading-dash.py": "Y = 2\n",
    "broken.py": "def broken(:\n    pass\n",
    "broken.cpp": "namespace a { int f( { }\n",
    "empty.py": "",
    "crlf.py": "A = 1\r\nB = 2\r\n",
}


def test_odd_files_get_pages_and_nothing_crashes(repo: Repo, capsys):
    repo.write(ODD_FILES)
    repo.commit("odd files")
    assert generate(repo, "--all") == 0
    pages = repo.files("docs")
    for name in ODD_FILES:
        assert f"docs/{name}_docs.md" in pages, name
        assert f"docs/{name}_kw.md" in pages, name
    latin = pages["docs/latin1.py_docs.md"].decode("utf-8")
    assert "café" in latin and "not valid UTF-8" in latin
    binary = pages["docs/nul.raw_docs.md"].decode("utf-8")
    assert "```" not in binary.split("## Original Source", 1)[1].split("## High-Level Overview", 1)[0]
    fences = pages["docs/fences.md_docs.md"].decode("utf-8")
    assert "`````markdown" in fences or "`````md" in fences
    broken = pages["docs/broken.py_docs.md"].decode("utf-8")
    assert "syntax error" in broken.lower()
    assert generate(repo, "--all") == 0


def test_huge_file_gets_a_metadata_only_page(repo: Repo):
    repo.write({"big.py": b"x = 1\n" * (50 * 1024 * 1024 // 6)})
    repo.commit("big")
    assert generate(repo, str(repo.path / "big.py")) == 0
    page = (repo.path / "docs/big.py_docs.md").read_text(encoding="utf-8")
    assert len(page) < 20_000
    assert "max_file_bytes" in page


def test_symlinks_are_never_followed_out_of_the_repository(repo: Repo, tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET VALUE\n")
    os.symlink(secret, repo.path / "leak.txt")
    os.symlink("ok.py", repo.path / "alias.py")
    repo.commit("links")
    assert generate(repo, "--all") == 0
    for page, data in repo.files("docs").items():
        assert b"TOP SECRET VALUE" not in data, page
    assert not (repo.path / "docs/leak.txt_docs.md").exists()


def test_docs_dir_that_is_a_link_is_refused(repo: Repo, tmp_path: Path, capsys):
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, repo.path / "docs")
    assert generate(repo, "--all") == 2
    assert "names a file or a link" in capsys.readouterr().err
    assert list(outside.iterdir()) == []


def test_path_outside_the_repository_is_refused(repo: Repo, tmp_path: Path, capsys):
    other = tmp_path / "elsewhere.py"
    other.write_text("Z = 1\n")
    assert generate(repo, str(other)) == 2
    assert "outside the repository" in capsys.readouterr().err
    assert not (repo.path / "docs").exists()


@pytest.mark.parametrize(
    "config, message",
    [
        ("docs_dir: ../escape\n", "docs_dir"),
        ("docs_dir: /etc\n", "docs_dir"),
        ("mode: [\n", "not valid YAML"),
        ("- just\n- a list\n", "mapping"),
        ("unknown_key: 1\n", "unknown setting"),
        ("max_file_bytes: -5\n", "max_file_bytes"),
        ("include: 7\n", "include"),
    ],
)
def test_malformed_config_is_a_clear_error_and_writes_nothing(repo: Repo, config: str, message: str, capsys):
    repo.write({".github/docbot.yml": config})
    assert generate(repo, "--all") == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (repo.path / "docs").exists()


def test_config_options_are_honoured(repo: Repo):
    repo.write({
        ".github/docbot.yml": "docs_dir: site/mirror\nexclude: ['vendor/**']\nproject_name: Widgets\n",
        "vendor/lib.py": "V = 1\n",
    })
    repo.commit("config")
    assert generate(repo, "--all") == 0
    pages = repo.files("site/mirror")
    assert "site/mirror/ok.py_docs.md" in pages
    assert not any("vendor" in p for p in pages)
    assert "Widgets" in pages["site/mirror/ok.py_docs.md"].decode()
    assert not (repo.path / "docs").exists()


def test_unknown_revision_is_a_usage_error(repo: Repo, capsys):
    assert generate(repo, "--base", "no-such-branch") == 2
    assert "unknown revision" in capsys.readouterr().err


def test_not_a_repository_is_a_usage_error(tmp_path: Path, capsys):
    assert main(["generate", "--repo", str(tmp_path)]) == 2
    assert "not a git repository" in capsys.readouterr().err


@pytest.mark.parametrize(("how", "source"), [("option", "--docs-dir"), ("file", ".github/docbot.yml")])
def test_a_docs_dir_that_names_a_file_is_a_clear_error_naming_its_source(repo: Repo, capsys, how, source):
    if how == "option":
        args = ["--docs-dir", "ok.py"]
    else:
        repo.write({".github/docbot.yml": "docs_dir: ok.py\n"})
        args = []
    for command in (["generate", "--all"], ["check"]):
        capsys.readouterr()
        assert main([command[0], "--repo", str(repo.path), *command[1:], *args]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"docbot: error: {source}: docs_dir 'ok.py' names a file") and "Traceback" not in err
    assert (repo.path / "ok.py").read_text() == "X = 1\n"
