"""bot/gitstore.py on real repositories: trees built folder by folder equal git's own."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from gitrepo import Repo

from bot.config import RepoConfig
from bot.repo.git import GitRepo

FILES = {
    "a.py": "A = 1\n",
    "pkg/b.py": "B = 2\n",
    "pkg/sub/c.py": "C = 3\n",
    "pkg/sub/deeper/d.md": "# D\n",
    "with space/ünï.txt": "u\n",
    "pkg-x/e.py": "E\n",
    "pkg.x/f.py": "F\n",
}


def git_tree(repo: Repo, writes: dict[str, bytes], deletes: list[str]) -> str:
    """The tree git itself builds for the same edit, through a throwaway branch."""
    repo.git("switch", "-q", "-c", f"ref-{random.random():.12f}", "main")
    repo.write(writes)
    for path in deletes:
        repo.git("rm", "-q", "--", path)
    repo.commit("reference")
    tree = repo.git("rev-parse", "HEAD^{tree}").strip()
    repo.git("switch", "-q", "main")
    return tree


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo.init(tmp_path / "store", FILES)


CASES = [
    ({"pkg/b.py": b"B = 3\n"}, []),
    ({"new/deep/folder/x.md": b"x\n"}, []),
    ({}, ["pkg/sub/deeper/d.md"]),
    ({}, ["pkg/sub/c.py", "pkg/sub/deeper/d.md"]),
    ({"pkg/sub/deeper/e.md": b"e\n"}, ["pkg/sub/deeper/d.md"]),
    ({"pkg-x/g.py": b"g\n", "pkg.x/h.py": b"h\n", "pkg/a.py": b"a\n"}, ["a.py"]),
    ({"with space/ünï.txt": b"v\n", "ünï/x": b"x\n"}, []),
]


@pytest.mark.parametrize("writes, deletes", CASES)
def test_build_tree_equals_gits_own(repo: Repo, writes: dict[str, bytes], deletes: list[str]):
    store = GitRepo(repo.path)
    assert store.build_tree("main", writes, deletes) == git_tree(repo, writes, deletes)


def test_build_tree_without_edits_is_the_parent_tree(repo: Repo):
    store = GitRepo(repo.path)
    assert store.build_tree("main", {}, []) == repo.git("rev-parse", "main^{tree}").strip()


def test_worktree_listing_sees_untracked_and_links_and_not_deleted(repo: Repo):
    (repo.path / "untracked.py").write_text("U = 1\n")
    (repo.path / "pkg/b.py").unlink()
    (repo.path / "link.py").symlink_to("a.py")
    repo.git("add", "link.py")
    paths, links = GitRepo(repo.path).worktree_files()
    assert "untracked.py" in paths and "pkg/b.py" not in paths
    assert links == {"link.py"}


def test_listing_leaves_out_skipped_paths(repo: Repo):
    repo.write({"docs/a.py_docs.md": "x", "docs/index.md": "x", "docs/source/real.md": "# Real\n"})
    repo.commit("pages")
    paths, _ = GitRepo(repo.path).listing("HEAD", prune=RepoConfig().without_generated)
    assert "docs/source/real.md" in paths and "a.py" in paths
    assert "docs/a.py_docs.md" not in paths and "docs/index.md" not in paths
