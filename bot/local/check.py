"""`docbot check`: the whole mirror of the work tree verified from its pages' records, nothing analyzed.

Two caches under `.git/docbot/` keep repeated checks cheap; anything odd in them is a miss:
- `check`: the last answer, with a digest of the whole state it checked (the index listing, the
  work tree's changed and new files, the settings, this docbot's version);
- `records`: what each page says of itself, by the page's git blob id, so that a page git has
  unchanged in the work tree is not read again.
"""

from __future__ import annotations

import hashlib
import marshal
import os

from bot import __version__
from bot.config import CONFIG_PATH, RepoConfig, docs_dir_source, load_config
from bot.engine.check import PageFacts, StalePage, check_mirror, page_facts
from bot.engine.records import FORMAT, blob_id
from bot.engine.sources import SourceTree
from bot.repo.git import GitRepo
from bot.repo.listing_cache import attributes_at
from bot.repo.page_writer import check_docs_dir
from bot.repo.readers import WorktreeFiles

CACHE_FORMAT = 5


def run_check(repo_dir: str, overrides: dict | None = None) -> tuple[list[StalePage], RepoConfig, int]:
    """Stale pages with why, the config used, and how many sources were checked."""
    repo = GitRepo(repo_dir)
    files = WorktreeFiles(repo.root)
    config = load_config(files.read(CONFIG_PATH), overrides or {}, repo.project_name())
    check_docs_dir(repo.root, config.docs_dir, docs_dir_source(overrides))
    index, listing, changed = repo.index_state()
    untracked = repo.untracked_files()
    # What the work tree changed or added, as git would store it (None: deleted, or no regular file).
    edited = {p: blob_id(data) if files.is_regular(p) and (data := files.read(p)) is not None else None
              for p in sorted(changed | set(untracked))}
    state = hashlib.sha1(repr((index, edited, config, FORMAT, __version__)).encode("utf-8", "surrogatepass"))
    cache = repo.git_dir / "docbot"
    remembered = _last_verdict(cache / "check", state.hexdigest())
    if remembered is not None:
        return remembered[0], config, remembered[1]
    tracked = listing()
    pages = set(config.docs_dir_files(tracked)) | set(config.docs_dir_files(untracked))
    blobs = {p: tracked[p] for p in config.without_generated(list(tracked)) if p not in edited}
    blobs.update((p, b) for p, b in edited.items() if b is not None and not config.is_generated(p))
    tree = SourceTree(blobs, config, attributes=attributes_at(blobs, files.read))
    facts = _PageFacts(files, {p: b for p, b in tracked.items() if p in pages and p not in edited}, cache / "records")
    stale = check_mirror(config, tree, blobs, pages, facts)
    facts.save()
    _write_atomically(cache / "check", marshal.dumps((state.hexdigest(), [(s.page, s.reason) for s in stale],
                                                      len(tree.sources))))
    return stale, config, len(tree.sources)


def _last_verdict(path: os.PathLike[str], state: str) -> tuple[list[StalePage], int] | None:
    """The last run's answer when it checked exactly this state."""
    try:
        with open(path, "rb") as handle:
            checked, stale, sources = marshal.load(handle)
        if checked != state or not isinstance(stale, list) or type(sources) is not int:
            return None
        return [StalePage(page, reason) for page, reason in stale], sources
    except (OSError, EOFError, ValueError, TypeError):
        return None


def _write_atomically(path: os.PathLike[str], data: bytes) -> None:
    """Replace the file at once; a cache that cannot be written is no error."""
    tmp = f"{path}.{os.getpid()}"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError:
        if os.path.exists(tmp):
            os.unlink(tmp)


class _PageFacts:
    """What each page says of itself: remembered by blob id for pages git has unchanged, else read.

    Remembered as (key order, values joined by spaces, flags): a few key orders serve every page, and
    43,000 short strings load in milliseconds where as many dicts take a third of a second.
    """

    def __init__(self, files: WorktreeFiles, page_blobs: dict[str, str], cache: os.PathLike[str]):
        self.files, self.page_blobs, self.path = files, page_blobs, cache
        self.orders: list[tuple[str, ...]] = []
        self.known: dict = {}
        try:
            with open(cache, "rb") as handle:
                stored = marshal.load(handle)
            if stored.get("format") == CACHE_FORMAT:
                self.orders, self.known = list(stored["orders"]), stored["facts"]
        except (OSError, EOFError, ValueError, TypeError, KeyError, AttributeError):
            self.orders, self.known = [], {}
        self.seen: dict[str, tuple[int, str, int]] = {}

    def __call__(self, page: str) -> PageFacts | None:
        blob = self.page_blobs.get(page)
        remembered = self.known.get(blob) if blob else None
        if type(remembered) is tuple and len(remembered) == 3:
            order, values, flags = remembered
            if type(order) is int and 0 <= order < len(self.orders) and type(values) is str and type(flags) is int:
                self.seen[blob] = remembered
                record = dict(zip(self.orders[order], values.split(" "), strict=False)) if order else None
                return PageFacts(record, bool(flags & 1), bool(flags & 2))
        text = self.files.read_text(page)
        if text is None:
            return None
        facts = page_facts(text)
        if blob:
            self.seen[blob] = self._packed(facts)
        return facts

    def _packed(self, facts: PageFacts) -> tuple[int, str, int]:
        if not self.orders:
            self.orders.append(())  # order 0: no record
        keys = tuple(facts.record) if facts.record else ()
        if keys not in self.orders:
            self.orders.append(keys)
        values = " ".join(facts.record.values()) if facts.record else ""
        return self.orders.index(keys), values, int(facts.intact) | 2 * int(facts.ours)

    def save(self) -> None:
        """Keep what this run saw (the pages of today's mirror only)."""
        if self.seen != self.known:
            data = {"format": CACHE_FORMAT, "orders": self.orders, "facts": self.seen}
            _write_atomically(self.path, marshal.dumps(data))
