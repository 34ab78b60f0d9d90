"""Trees rewritten along the changed paths give exactly the tree git's own index would write."""

from __future__ import annotations

import subprocess

import pytest
from gitrepo import Repo

from bot.repo.git import BareRepo, GitRepo
from bot.repo.tree_objects import format_tree, parse_tree

FILES = {
    "README.md": "# r\n",
    "a": "file a\n",
    "a.b": "dotted\n",
    "a-b/x.txt": "dash folder\n",
    "a0/y.txt": "zero folder\n",
    "docs/src/a.py_docs.md": "old page\n",
    "docs/src/gone/only.py_docs.md": "lonely page\n",
    "src/a.py": "a = 1\n",
    "src/deep/er/b.py": "b = 2\n",
    "tool.sh": "#!/bin/sh\n",
}
CASES = {
    "nothing": ({}, []),
    "one page": ({"docs/src/a.py_docs.md": b"new page\n"}, []),
    "new folders": ({"docs/src/deep/er/b.py_docs.md": b"b\n", "docs/src/deep/er/b.py_kw.md": b"kw\n"}, []),
    "emptied folder": ({}, ["docs/src/gone/only.py_docs.md"]),
    "names that sort around a folder": ({"a-b/z.txt": b"z\n", "a.c": b"c\n", "a/inner.txt": b"i\n"}, ["a"]),
    "mixed": ({"docs/index.md": b"index\n", "src/deep/er/b.py": b"b = 3\n"}, ["src/a.py", "not/there.md"]),
    "everything gone": ({}, list(FILES)),
}


@pytest.fixture(scope="module")
def repos(tmp_path_factory):
    work = Repo.init(tmp_path_factory.mktemp("work"), FILES)
    (work.path / "tool.sh").chmod(0o755)
    work.commit("executable tool")
    bare = tmp_path_factory.mktemp("cache") / "r.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(work.path), str(bare)], check=True)
    return GitRepo(work.path), BareRepo(bare), work.head()


@pytest.mark.parametrize("writes, deletes", CASES.values(), ids=CASES.keys())
def test_rewritten_tree_equals_the_index_written_tree(repos, writes, deletes):
    full, bare, head = repos
    if not writes and set(deletes) == set(FILES):
        expected = bare._write_object("tree", b"")  # git's empty tree, which write-tree also gives
    else:
        expected = full.build_tree(head, writes, [d for d in deletes if d != "not/there.md"])
    assert bare.build_tree(head, writes, deletes) == expected


def test_tree_objects_round_trip_and_keep_modes(repos):
    _, bare, head = repos
    raw = bare._read_object(bare.tree_of(head))
    entries = parse_tree(raw)
    assert entries["tool.sh"][0] == "100755" and entries["src"][0] == "40000"
    assert format_tree(entries) == raw
