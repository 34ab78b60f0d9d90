"""The compiled page templates are kept between runs in Jinja's per-user cache folder, safely."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from gitrepo import Repo

ROOT = Path(__file__).resolve().parents[2]
PAGE_TEMPLATES = sorted(p.name for p in (ROOT / "templates").glob("*.md.j2"))
SOURCES = {
    "pkg/core.py": '"""Core helpers."""\n\n\ndef add(a, b):\n    """Add two numbers."""\n    return a + b\n',
    "pkg/util.h": "#pragma once\nnamespace util {\nint twice(int x);\n}\n",
}


def generate(repo: Repo, temp: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "TMPDIR": str(temp)}
    return subprocess.run([sys.executable, "-m", "bot.cli", "generate", "--all"], cwd=repo.path, env=env,
                          capture_output=True, text=True, check=False)


@pytest.fixture
def temp(tmp_path: Path) -> Path:
    folder = tmp_path / "temp"
    folder.mkdir()
    return folder


def cache_folder(temp: Path) -> Path:
    return temp / f"_jinja2-cache-{os.getuid()}"


def test_a_second_run_loads_the_compiled_templates_and_writes_the_same_pages(tmp_path, temp):
    first, second = (Repo.init(tmp_path / clone / "project", SOURCES) for clone in ("a", "b"))
    assert generate(first, temp).returncode == 0
    cached = {p.name: p.stat().st_mtime_ns for p in cache_folder(temp).iterdir()}
    assert len(cached) == len(PAGE_TEMPLATES)  # the page templates, not the status page's
    assert oct(cache_folder(temp).stat().st_mode & 0o777) == "0o700"

    assert generate(second, temp).returncode == 0
    assert {p.name: p.stat().st_mtime_ns for p in cache_folder(temp).iterdir()} == cached  # read, not rewritten
    assert second.files("docs") == first.files("docs")


def test_a_link_planted_where_the_cache_goes_is_not_followed(tmp_path, temp):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    cache_folder(temp).symlink_to(elsewhere)
    repo = Repo.init(tmp_path / "repo", SOURCES)

    done = generate(repo, temp)

    assert done.returncode == 0, done.stderr
    assert list(elsewhere.iterdir()) == []
    assert "docs/pkg/core.py_docs.md" in repo.files("docs")
