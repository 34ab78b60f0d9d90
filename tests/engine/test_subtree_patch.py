"""sub.md patched in place equals sub.md rendered in full, for any additions and removals."""

from __future__ import annotations

import random

import pytest

from bot.engine.render_folders import render_subtree
from bot.engine.subtree_patch import patch_subtree
from bot.engine.templates import PageContext

CTX = PageContext(project_name="Widgets")
NAMES = [
    "a.py", "b.py", "a.h", "Makefile", ".gitignore", "x.tar.gz", "files-y.py", "files-.py", "files-.py.py",
    "with space.md", "ünï.rst", "-dash.c", "back`tick.py", "star*.py", "under_score_.py", "_private.py", "pipe|x.md",
    "pct%20.py", "[br].py", "#hash.py", "a.b.c", "CMakeLists.txt", "index.md",
]
FOLDERS = ["", "pkg", "pkg/sub", "pkg/sub/deep", "other", "with space"]


def random_paths(rng: random.Random, folder: str, n: int) -> set[str]:
    prefix = folder + "/" if folder else ""
    return {prefix + "/".join(filter(None, [rng.choice(FOLDERS), rng.choice(NAMES)])) for _ in range(n)}


@pytest.mark.parametrize("seed", range(150))
def test_patch_equals_full_render(seed: int):
    rng = random.Random(seed)
    folder = rng.choice(["", "root", "a b/c"])
    before = random_paths(rng, folder, rng.randint(1, 40))
    removed = set(rng.sample(sorted(before), rng.randint(0, len(before) - 1)))
    added = random_paths(rng, folder, rng.randint(0, 10))
    after = (before - removed) | added
    text, really_added, really_removed = patch_subtree(render_subtree(folder, before, CTX), folder, added, removed, CTX)
    assert text == render_subtree(folder, after, CTX)
    # What the page really gained and lost: the record's digest of the files below is patched with exactly that.
    assert (really_added, really_removed) == (after - before, before - after)


def test_removing_everything_or_a_foreign_page_falls_back_to_a_full_render():
    page = render_subtree("pkg", {"pkg/a.py"}, CTX)
    assert patch_subtree(page, "pkg", set(), {"pkg/a.py"}, CTX) is None
    assert patch_subtree("# Subtree Keyword Index: something else\n", "pkg", {"pkg/b.py"}, set(), CTX) is None
    assert patch_subtree(page, "pkg", {"elsewhere/b.py"}, set(), CTX) is None
    other_generator = render_subtree("pkg", {"pkg/a.py"}, PageContext(project_name="Widgets", generator="x"))
    assert patch_subtree(other_generator, "pkg", {"pkg/b.py"}, set(), CTX) is None


def test_every_file_replaced_at_once():
    page = render_subtree("notes", {"notes/readme.md"}, CTX)
    patched = patch_subtree(page, "notes", {"notes/README.md"}, {"notes/readme.md"}, CTX)
    assert patched == (render_subtree("notes", {"notes/README.md"}, CTX), {"notes/README.md"}, {"notes/readme.md"})


def test_adding_a_listed_file_or_removing_an_absent_one_changes_nothing():
    page = render_subtree("", {"a.py", "b/c.h"}, CTX)
    assert patch_subtree(page, "", {"a.py"}, {"zz.py"}, CTX) == (page, set(), set())


@pytest.mark.parametrize("seed", range(20))
def test_patch_equals_full_render_for_large_pages(seed: int):
    rng = random.Random(1000 + seed)
    before = {f"pkg{rng.randint(0, 30)}/mod_{rng.randint(0, 5000)}.{rng.choice(['py', 'h', 'md'])}" for _ in range(800)}
    removed = set(rng.sample(sorted(before), 5))
    added = {f"pkg{rng.randint(0, 30)}/new_{rng.randint(0, 5000)}.py" for _ in range(5)} | {"pkg0/mod_0.txt"}
    after = (before - removed) | added
    patched = patch_subtree(render_subtree("", before, CTX), "", added, removed, CTX)
    assert patched == (render_subtree("", after, CTX), after - before, before - after)


def test_a_page_laid_out_otherwise_falls_back_to_a_full_render():
    page = render_subtree("", {"a.py", "b.py", "c.py"}, CTX)
    group_start = "### files-.py\n\n- ["
    assert patch_subtree(page.replace(group_start, "### files-.py\n\nx ["), "", {"bb.py"}, set(), CTX) is None
    assert patch_subtree(page.replace("](./b.py_docs.md)", ")"), "", {"bb.py"}, set(), CTX) is None
