"""The real `pre-commit` tool runs docbot's hook from a local clone of this project (`repo:` + `rev:`),
as other repositories use it: the staged change is documented, untracked files are not, the commit
that regenerated pages fails with "files were modified" and the next one passes, the first commit of
a new repository included. The README's snippet is a valid config."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from gitrepo import GIT_ENV, Repo

ROOT = Path(__file__).resolve().parents[2]
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory) -> tuple[Path, str]:
    """This project, as it is now, committed in a repository of its own: what `repo:` points at."""
    source = tmp_path_factory.mktemp("hook") / "docbot"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "*.egg-info", ".pytest_cache", "__pycache__", ".docbot", "tests", "bench"))
    repo = Repo.init(source)
    repo.git("add", "-A")
    repo.git("commit", "-qm", "docbot as it is")
    return source, repo.git("rev-parse", "HEAD").strip()


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")  # one hook environment for the whole session


def readme_config() -> str:
    text = (ROOT / "README.md").read_text()
    [snippet] = re.findall(r"```yaml\n(# \.pre-commit-config\.yaml\n.*?)```", text, flags=re.S)
    return snippet


def commit(repo: Repo, home: Path, message: str) -> subprocess.CompletedProcess:
    """`git commit` with the installed pre-commit hook, as a developer runs it."""
    env = {**os.environ, **GIT_ENV, "GIT_CONFIG_GLOBAL": os.devnull, "PRE_COMMIT_HOME": str(home)}
    return subprocess.run(["git", "commit", "-qm", message], cwd=repo.path, env=env, capture_output=True, text=True)


@pytest.fixture
def project(tmp_path, hook_repo, pre_commit_home) -> Repo:
    source, rev = hook_repo
    repo = Repo.init(tmp_path / "project")
    config = readme_config().replace("https://github.com/docbot-mirror/docbot", str(source))
    config = re.sub(r"rev: \S+", f"rev: {rev}", config)
    (repo.path / ".pre-commit-config.yaml").write_text(config)
    env = {**os.environ, "PRE_COMMIT_HOME": str(pre_commit_home)}
    subprocess.run([*PRE_COMMIT, "install"], cwd=repo.path, env=env, check=True, capture_output=True)
    return repo


def test_the_readmes_snippet_is_a_valid_pre_commit_config(tmp_path):
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(readme_config())
    done = subprocess.run([*PRE_COMMIT, "validate-config", str(config)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_hook_documents_the_staged_change_and_the_second_commit_passes(project, pre_commit_home):
    project.write({"pkg/core.py": '"""Core."""\n\n\ndef run():\n    """Run it."""\n', "scratch.txt": "notes\n"})
    project.git("add", ".pre-commit-config.yaml", "pkg/core.py")
    first = commit(project, pre_commit_home, "first commit of a new repository")
    assert first.returncode != 0 and "files were modified" in first.stdout + first.stderr
    assert (project.path / "docs/pkg/core.py_docs.md").is_file()
    assert not (project.path / "docs/scratch.txt_docs.md").exists()  # untracked: not the commit's business
    project.git("add", "docs")
    second = commit(project, pre_commit_home, "first commit, with its docs")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "docs/pkg/core.py_kw.md" in project.git("ls-files", "docs")
    project.write({"pkg/core.py": '"""Core."""\n\n\ndef run_fast():\n    """Run it fast."""\n'})
    project.git("add", "pkg/core.py")
    assert commit(project, pre_commit_home, "faster").returncode != 0
    assert "run_fast" in (project.path / "docs/pkg/core.py_kw.md").read_text()
    project.git("add", "docs")
    done = commit(project, pre_commit_home, "faster, with its docs")
    assert done.returncode == 0, done.stdout + done.stderr
    assert project.git("status", "--porcelain", "--", "docs") == ""
