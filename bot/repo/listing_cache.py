"""The sources of recent commits, kept between command-line runs in the repository's git dir.

Listing a 20,000-file repository (60,000 paths with its mirror) and indexing its sources
costs more than documenting a ten-file change. A pull request's merge base rarely moves
between runs, so its sources are kept here by tree id, and the head's (or the work tree's) are
the base's patched with the diff: a run then costs its change. The App worker keeps the same in memory
(bot/snapshots.py); the command line has no process that outlives a run, hence files.

It is a cache: anything unreadable, stale or odd is a miss, and a failure to write is ignored.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from bot.config import RepoConfig
from bot.engine.attributes import Attributes, is_attributes_file
from bot.engine.sources import SourceTree
from bot.repo.git import GitRepo

FORMAT = 4  # 2: paths joined by NUL; 3: test files by every convention; 4: .gitattributes kept too
KEPT = 8  # commits remembered; one of a 20,000-file repository takes about 1.5 MB
# Beyond this many changed paths the sources are listed afresh rather than patched path by path.
MAX_PATCHED = 500


def remembered_sources(
    repo: GitRepo, config: RepoConfig, rev: str, derive: Callable[[], SourceTree] | None = None
) -> SourceTree:
    """The sources at `rev`: remembered from an earlier run, or found now and remembered.

    Found by `derive` when given (another commit's sources patched with a diff), else listed.
    """
    cache = cache_of(repo)
    tree_id = repo.tree_of(rev)
    state = cache.load(tree_id, config)
    if state is not None:
        return SourceTree.from_state(config, state)
    if derive is not None:
        tree = derive()
    else:
        paths, links = repo.listing(rev, prune=config.without_generated)
        tree = SourceTree(paths, config, links, attributes_at(paths, lambda path: repo.read_blob(rev, path)))
    cache.save(tree_id, config, tree.state())
    return tree


def attributes_at(paths: Iterable[str], read: Callable[[str], bytes | None]) -> Attributes:
    """The `.gitattributes` files among `paths`, read (a tree rarely has more than a few)."""
    texts = {}
    for path in paths:
        if is_attributes_file(path) and (data := read(path)) is not None:
            texts[path] = data.decode("utf-8", errors="replace")
    return Attributes(texts)


def cache_of(repo: GitRepo) -> ListingCache:
    return ListingCache(repo.git_dir / "docbot" / "listings")


class ListingCache:
    """Source trees' plain state (see SourceTree.state) under `folder`, one file per tree and config."""

    def __init__(self, folder: str | os.PathLike[str]):
        self.folder = Path(folder)

    def load(self, tree_id: str, config: RepoConfig) -> dict | None:
        try:
            state = marshal.loads(self._file(tree_id, config).read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return None
        return state if _well_formed(state) else None

    def save(self, tree_id: str, config: RepoConfig, state: dict) -> None:
        target = self._file(tree_id, config)
        tmp = target.with_name(f".{target.name}.{os.getpid()}")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(marshal.dumps(state))
            os.replace(tmp, target)
            self._prune(target)
        except OSError:
            tmp.unlink(missing_ok=True)

    def _file(self, tree_id: str, config: RepoConfig) -> Path:
        # What decides which paths are sources is part of the key: another config is another listing.
        selection = repr((FORMAT, config.docs_dir, config.include, config.exclude)).encode()
        return self.folder / f"{tree_id}-{hashlib.sha1(selection).hexdigest()[:16]}.marshal"

    def _prune(self, newest: Path) -> None:
        """Keep `newest` and the most recently written others, KEPT in all."""
        others = [f for f in self.folder.glob("*.marshal") if f != newest]
        for old in sorted(others, key=lambda f: f.stat().st_mtime_ns, reverse=True)[KEPT - 1 :]:
            old.unlink(missing_ok=True)


def _well_formed(state: object) -> bool:
    """The shape SourceTree.state() gives: the paths, two indexes of paths by stem, and the `.gitattributes`
    files' text, all strings."""
    if not isinstance(state, dict) or state.keys() != {"sources", "by_stem", "tests", "attributes"}:
        return False
    if type(state["sources"]) is not str:
        return False
    # Types counted with map(type, ...): a Python-level check per entry would cost as much as the load.
    return all(
        type(index) is dict and set(map(type, index)) | set(map(type, index.values())) <= {str}
        for index in (state["by_stem"], state["tests"], state["attributes"])
    )
