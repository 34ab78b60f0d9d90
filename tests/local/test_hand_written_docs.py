"""Hand-written documentation under docs/ (mkdocs, Sphinx) is kept byte for byte by every command:
docbot refuses what would overwrite it (exit 2, naming the files), or, after `docbot init`, keeps its
mirror elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from gitrepo import Repo

from bot.cli import main

SOURCES = {"app/core.py": '"""Core."""\n\n\ndef run():\n    pass\n', "README.md": "# Project\n\nIt runs.\n"}
MKDOCS = {"mkdocs.yml": "site_name: Project\n", "docs/index.md": "# Home\n\nHand-written.\n",
          "docs/usage.md": "# Usage\n\nRun it.\n"}
SPHINX = {"docs/conf.py": 'project = "Project"\n', "docs/index.rst": "Project\n=======\n\n.. toctree::\n"}


def hand_written(repo: Repo, layout: dict) -> dict[str, bytes]:
    return {path: (repo.path / path).read_bytes() for path in layout}


def run(repo: Repo, *args: str) -> int:
    return main([args[0], "--repo", str(repo.path), *args[1:]])


@pytest.fixture(params=["mkdocs", "sphinx"])
def layout(request) -> dict[str, str]:
    return MKDOCS if request.param == "mkdocs" else SPHINX


def test_every_command_keeps_hand_written_docs(tmp_path: Path, layout, capsys):
    repo = Repo.init(tmp_path / "project", {**SOURCES, **layout})
    before = hand_written(repo, layout)
    code = run(repo, "generate", "--all")
    if layout is MKDOCS:
        assert code == 2 and "docs/index.md" in capsys.readouterr().err  # the root's index.md goes there
        assert not (repo.path / "docs/app").exists()  # nothing was written
    else:
        assert code == 0  # index.rst and conf.py are sources; the mirror's pages take no hand-written path
        assert (repo.path / "docs/docs/conf.py_docs.md").is_file()
        repo.commit("docs")
    assert hand_written(repo, layout) == before
    repo.write({"app/core.py": '"""Core."""\n\n\ndef run_fast():\n    pass\n'})
    assert run(repo, "generate") == (2 if layout is MKDOCS else 0)
    repo.commit("faster")
    repo.git("switch", "-q", "-c", "feature")
    repo.write({"app/extra.py": '"""Extra."""\n'})
    repo.commit("extra")
    assert run(repo, "pr", "--base", "main", "--head", "feature") == (2 if layout is MKDOCS else 0)
    assert hand_written(repo, layout) == before


def test_after_init_the_mirror_lives_beside_the_hand_written_docs(tmp_path: Path, capsys):
    repo = Repo.init(tmp_path / "project", {**SOURCES, **MKDOCS})
    before = hand_written(repo, MKDOCS)
    assert run(repo, "init") == 0
    assert "docs_dir: docs-mirror" in (repo.path / ".github/docbot.yml").read_text()
    assert run(repo, "generate", "--all") == 0
    assert (repo.path / "docs-mirror/docs/usage.md_docs.md").is_file()  # hand-written docs are sources
    repo.commit("mirror")
    assert run(repo, "check") == 0
    repo.git("switch", "-q", "-c", "feature")
    repo.write({"docs/usage.md": "# Usage\n\nRun it twice.\n"})
    repo.commit("usage")
    assert run(repo, "pr", "--base", "main", "--head", "feature") == 0
    assert hand_written(repo, {"mkdocs.yml": "", "docs/index.md": ""}) == {p: before[p] for p in
                                                                           ("mkdocs.yml", "docs/index.md")}
    assert "docs-mirror/docs/usage.md_docs.md" in repo.git("diff", "--name-only", "feature", "docbot/feature")
