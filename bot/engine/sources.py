"""The documented sources at one state of a repository, with lazy indexes over them, and how a
change patches them (the one home of "the base's sources patched with a diff")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import cached_property

from bot.config import RepoConfig
from bot.engine.attributes import Attributes, is_attributes_file
from bot.engine.changes import Change
from bot.engine.layout import ancestors, folder_of, stem_of

# Test files by the common conventions: test_x.py, x_test.go, x-test.cc, x_unittest.cc, x.test.ts,
# x_spec.rb, XTest.java; and code files directly in a test/ or tests/ folder (test/x.cpp).
_TEST_PREFIXES = ("test_", "test-")
_TEST_SUFFIXES = ("_test", "_tests", "-test", "-tests", "_unittest", "-unittest", "_unittests", ".test",
                  "_spec", "-spec", ".spec", "Test", "Tests", "Spec")
_TEST_FOLDERS = frozenset({"test", "tests", "testing", "unittests"})
_NOT_TESTED = frozenset({"conftest", "setup", "main", "utils", "util", "helpers", "common", "fixtures"})
_CODE_EXTENSIONS = frozenset({".py", ".c", ".cc", ".cpp", ".cxx", ".cu", ".h", ".hh", ".hpp", ".js", ".jsx",
                              ".ts", ".tsx", ".rb", ".go", ".rs", ".java", ".kt", ".scala", ".swift", ".m", ".mm"})


def tested_stem(path: str) -> str | None:
    """The stem a test file tests (`test_linear.py`, `tests/linear.cpp` -> `linear`), or None for a non-test file."""
    folder, _, name = path.rpartition("/")
    lower = name.lower()
    in_test_folder = folder.rpartition("/")[2] in _TEST_FOLDERS
    if "test" not in lower and "spec" not in lower and not in_test_folder:
        return None
    stem = stem_of(path)
    for prefix in _TEST_PREFIXES:
        if stem.startswith(prefix) and len(stem) > len(prefix):
            return stem[len(prefix) :]
    for suffix in _TEST_SUFFIXES:
        if stem.endswith(suffix) and len(stem) > len(suffix):
            return stem[: -len(suffix)]
    extension = name[len(stem):]
    if in_test_folder and extension in _CODE_EXTENSIONS and not stem.startswith("_") and stem not in _NOT_TESTED:
        return stem
    return None


# Path indexes map a key (a stem) to its paths joined by NUL, which no git path contains: a
# listing remembered between runs (bot/listcache.py) then loads as 20,000 strings, not 20,000
# lists, in a third of the time. `_members` reads one entry.
_SEP = "\0"


def _packed(index: dict[str, list[str]]) -> dict[str, str]:
    return {key: _SEP.join(paths) for key, paths in index.items()}


def _members(index: dict[str, str], key: str | None) -> list[str]:
    packed = index.get(key) if key else None
    return packed.split(_SEP) if packed else []


def _patched_index(
    index: dict[str, str], key: Callable[[str], str | None], added: set[str], removed: set[str]
) -> dict[str, str]:
    """A copy of a path index with paths added and removed; only the entries they touch are rewritten."""
    patched = dict(index)
    for path in removed:
        if (k := key(path)) and k in patched:
            kept = [p for p in _members(patched, k) if p != path]
            if kept:
                patched[k] = _SEP.join(kept)
            else:
                del patched[k]
    for path in added:
        if k := key(path):
            patched[k] = _SEP.join([*_members(patched, k), path])
    return patched


class SourceTree:
    """The documented sources at one state of a repository, with lazy indexes over them."""

    def __init__(self, paths: Iterable[str], config: RepoConfig, symlinks: Iterable[str] = (),
                 attributes: Attributes | None = None):
        links = set(symlinks)
        self.config = config
        self.attributes = attributes or Attributes()
        is_source = config.is_source
        sources = {p for p in paths if is_source(p) and p not in links}
        self.sources = frozenset(sources - (self.attributes.hidden(sources) - config.named))

    @staticmethod
    def needs_listing(changes: Iterable[Change]) -> bool:
        """A change of a `.gitattributes` file changes which files are sources: list them again, never patch."""
        return any(is_attributes_file(c.path) or (c.old_path and is_attributes_file(c.old_path)) for c in changes)

    def __contains__(self, path: str) -> bool:
        return path in self.sources

    def state(self) -> dict[str, object]:
        """The sources and the stem indexes as plain data, for a cache to keep (see bot/listcache.py)."""
        return {"sources": _SEP.join(sorted(self.sources)), "by_stem": self._by_stem, "tests": self._tests_by_stem,
                "attributes": self.attributes.files}

    @classmethod
    def from_state(cls, config: RepoConfig, state: dict) -> SourceTree:
        """The tree `state()` described, its stem indexes ready: nothing is filtered or indexed again."""
        tree = cls((), config, attributes=Attributes(state["attributes"]))
        tree.sources = frozenset(state["sources"].split(_SEP)) if state["sources"] else frozenset()
        tree.__dict__["_by_stem"] = state["by_stem"]  # where cached_property keeps its value
        tree.__dict__["_tests_by_stem"] = state["tests"]
        return tree

    def after(self, changes: Iterable[Change], is_file: Callable[[str], bool]) -> SourceTree:
        """This tree with a diff applied: the one way docbot derives a state's sources from another's.

        `is_file(path)` says whether a changed path is a regular file where the change ends (a
        path that became a link, a submodule or a folder is no longer a source).
        """
        added, removed = source_delta(changes, self.config, is_file)
        return self.with_changes(added - (self.attributes.hidden(added) - self.config.named), removed)

    def with_changes(self, added: Iterable[str], removed: Iterable[str]) -> SourceTree:
        """This tree with sources added and removed; stem indexes already built are patched, not rebuilt."""
        added, removed = set(added) - self.sources, set(removed) & self.sources
        tree = SourceTree((), self.config, attributes=self.attributes)
        tree.sources = (self.sources - removed) | added
        for name, key in (("_by_stem", stem_of), ("_tests_by_stem", tested_stem)):
            if name in self.__dict__:
                tree.__dict__[name] = _patched_index(self.__dict__[name], key, added, removed)
        return tree

    @cached_property
    def _by_folder(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = defaultdict(list)
        for path in self.sources:
            index[folder_of(path)].append(path)
        return index

    @cached_property
    def _children(self) -> dict[str, set[str]]:
        children: dict[str, set[str]] = defaultdict(set)
        for folder in self._by_folder:
            while folder:
                parent, _, name = folder.rpartition("/")
                if name in children[parent]:
                    break
                children[parent].add(name)
                folder = parent
        return children

    @cached_property
    def _by_stem(self) -> dict[str, str]:
        index: dict[str, list[str]] = defaultdict(list)
        for path in self.sources:
            index[stem_of(path)].append(path)
        return _packed(index)

    @cached_property
    def _tests_by_stem(self) -> dict[str, str]:
        index: dict[str, list[str]] = defaultdict(list)
        for path in self.sources:
            stem = tested_stem(path)
            if stem:
                index[stem].append(path)
        return _packed(index)

    def files_in(self, folder: str) -> list[str]:
        return sorted(self._by_folder.get(folder, ()))

    def subfolders(self, folder: str) -> list[str]:
        return sorted(self._children.get(folder, ()))

    def files_under(self, folder: str) -> list[str]:
        if not folder:
            return sorted(self.sources)
        prefix = folder + "/"
        return sorted(p for p in self.sources if p.startswith(prefix))

    def folders(self) -> list[str]:
        """Every folder holding a documented file somewhere below it, root included."""
        found = {""}
        for folder in self._by_folder:
            found.update(ancestors(folder))
        return sorted(found)

    def related(self, path: str) -> tuple[str, ...]:
        """Other sources in the same folder with the same stem (`Fill.cpp` <-> `Fill.h`)."""
        folder, stem = folder_of(path), stem_of(path)
        return tuple(sorted(p for p in _members(self._by_stem, stem) if p != path and folder_of(p) == folder))

    def tests_for(self, path: str, limit: int = 10) -> tuple[str, ...]:
        """Test files whose name says they test this file's stem."""
        if tested_stem(path):
            return ()
        return tuple(sorted(_members(self._tests_by_stem, stem_of(path)))[:limit])

    def dependents(self, path: str) -> set[str]:
        """Sources whose pages mention `path` by existence, so must be rebuilt when it appears or goes."""
        folder, stem = folder_of(path), stem_of(path)
        found = {p for p in _members(self._by_stem, stem) if folder_of(p) == folder}
        target = tested_stem(path)
        if target:
            found.update(p for p in _members(self._by_stem, target) if not tested_stem(p))
        found.discard(path)
        return found


def source_delta(
    changes: Iterable[Change], config: RepoConfig, is_file: Callable[[str], bool]
) -> tuple[set[str], set[str]]:
    """Sources the changes add and remove. `is_file` says whether a changed path is a regular file
    where the change ends (a path that became a link, a submodule or a folder is removed)."""
    changes = list(changes)
    removed = {c.old_path if c.status == "R" else c.path for c in changes if c.status in ("D", "R")}
    present = {c.path for c in changes if c.status != "D"}
    added = {p for p in present if config.is_source(p) and is_file(p)}
    return added, removed | (present - added)
