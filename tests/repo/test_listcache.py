"""Sources remembered between runs: patched and restored trees answer as freshly listed ones do."""

from __future__ import annotations

from pathlib import Path

from bot.config import RepoConfig
from bot.engine.sources import SourceTree
from bot.repo.listing_cache import ListingCache


def test_sources_patched_with_changes_answer_as_sources_listed_afresh():
    config = RepoConfig()
    before = ["a/fill.cpp", "a/fill.h", "a/test_fill.py", "b/fill.cpp", "b/other.py", "tests/fill_test.cc"]
    after = ["a/fill.cpp", "a/test_fill.py", "b/fill_test.py", "b/other.py", "c/fill.h", "tests/fill_test.cc"]
    base = SourceTree(before, config)
    base.state()  # builds the indexes that with_changes patches
    patched = base.with_changes(set(after) - set(before), set(before) - set(after))
    fresh = SourceTree(after, config)
    assert patched.sources == fresh.sources
    for path in sorted(set(before) | set(after)):
        assert patched.related(path) == fresh.related(path)
        assert patched.tests_for(path) == fresh.tests_for(path)
        assert patched.dependents(path) == fresh.dependents(path)
    restored = SourceTree.from_state(config, patched.state())
    assert restored.sources == fresh.sources and restored.tests_for("a/fill.cpp") == fresh.tests_for("a/fill.cpp")


def test_cache_keeps_a_bounded_number_of_listings(tmp_path: Path):
    cache = ListingCache(tmp_path)
    state = SourceTree(["a.py"], RepoConfig()).state()
    for n in range(12):
        cache.save(f"{n:040x}", RepoConfig(), state)
    assert len(list(tmp_path.glob("*.marshal"))) == 8
    assert cache.load(f"{11:040x}", RepoConfig())["sources"] == "a.py"
    assert cache.load(f"{11:040x}", RepoConfig(docs_dir="site")) is None  # another config, another key


def test_a_cache_file_of_another_shape_is_a_miss(tmp_path: Path):
    cache = ListingCache(tmp_path)
    good = SourceTree(["a/b.py", "a/test_b.py"], RepoConfig()).state()
    wrong_types = (
        {**good, "sources": ["a/b.py"]},
        {**good, "tests": {"b": ["a/test_b.py"]}},
        {**good, "by_stem": {1: "a"}},
    )
    for bad in (*wrong_types, [good], {"x": 1}):
        cache.save("f" * 40, RepoConfig(), bad)
        assert cache.load("f" * 40, RepoConfig()) is None
    cache.save("f" * 40, RepoConfig(), good)
    assert cache.load("f" * 40, RepoConfig()) == good
