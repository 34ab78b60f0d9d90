"""Changed paths -> the mirror pages to write and delete, and what each file gained or lost."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Protocol

from analyzers import analyze_source
from analyzers.model import FileAnalysis
from bot.config import RepoConfig
from bot.engine.changes import Change
from bot.engine.folder_pages import FolderPlanner
from bot.engine.layout import Layout
from bot.engine.readback import parse_keywords
from bot.engine.records import blob_id, deps_digest, digest, is_docbot_page, sign
from bot.engine.render import render_file_docs, render_file_keywords
from bot.engine.sources import SourceTree
from bot.engine.templates import PageContext


class FileReader(Protocol):
    def read(self, path: str) -> bytes | None: ...


class TextReader(Protocol):
    def read_text(self, path: str) -> str | None: ...


@dataclass(frozen=True)
class FileReport:
    """What happened to one source's pages, for summaries."""

    path: str
    status: str  # added | modified | deleted | renamed | refreshed
    old_path: str | None = None
    added: dict[str, tuple[str, ...]] = field(default_factory=dict)
    removed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    degraded: str = ""


@dataclass
class Plan:
    """The exact set of mirror changes: pages whose content differs, pages to delete."""

    writes: dict[str, str] = field(default_factory=dict)
    deletes: set[str] = field(default_factory=set)
    written: set[str] = field(default_factory=set)  # pages already written while planning (full generation)
    files: list[FileReport] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # pages to write or delete that docbot did not write

    @property
    def written_pages(self) -> list[str]:
        return sorted(set(self.writes) | self.written)

    @property
    def changed_pages(self) -> list[str]:
        return sorted(set(self.writes) | self.written | self.deletes)

    def __bool__(self) -> bool:
        return bool(self.writes or self.written or self.deletes)

    def only(self, pages: Iterable[str]) -> Plan:
        """The same plan narrowed to these pages (the rest goes elsewhere, e.g. as suggestions)."""
        keep = set(pages)
        return replace(self, writes={p: t for p, t in self.writes.items() if p in keep},
                       deletes=self.deletes & keep, written=self.written & keep)


@dataclass(frozen=True)
class RenderedFile:
    analysis: FileAnalysis
    docs_md: str
    kw_md: str


def render_source(path: str, data: bytes, config: RepoConfig, tree: SourceTree) -> RenderedFile:
    """Analyze one source and render its two pages, each ending with its record line."""
    analysis, text = analyze_source(path, data, config.max_file_bytes)
    ctx = page_context(config, tree.related(path), tree.tests_for(path))
    kw_body = render_file_keywords(analysis, ctx)
    blob = blob_id(data)
    docs = sign(render_file_docs(analysis, text, ctx), config, src=blob, desc=digest(analysis.description),
                deps=deps_digest(ctx.related, ctx.tests), kw=digest(kw_body))
    return RenderedFile(analysis, docs, sign(kw_body, config, src=blob))


def page_context(config: RepoConfig, related: tuple[str, ...] = (), tests: tuple[str, ...] = ()) -> PageContext:
    return PageContext(
        project_name=config.project_name,
        generator=config.generator,
        docs_dir=config.docs_dir,
        related=related,
        tests=tests,
    )


def keyword_diff(old: dict[str, tuple[str, ...]] | None, new: FileAnalysis | None) -> tuple[dict, dict]:
    """Keywords added and removed, by kind."""
    before = {k: set(v) for k, v in (old or {}).items()}
    after = {g.kind: set(g.names) for g in new.keywords} if new else {}
    added = {k: tuple(sorted(after[k] - before.get(k, set()))) for k in after}
    removed = {k: tuple(sorted(before[k] - after.get(k, set()))) for k in before}
    return {k: v for k, v in sorted(added.items()) if v}, {k: v for k, v in sorted(removed.items()) if v}


def file_report(path: str, status: str, old_kw_page: str | None, result: RenderedFile | None,
                old_path: str | None = None) -> FileReport:
    """What a source's new pages (None: none, it is gone) change: keywords gained and lost against its
    keyword page as it was."""
    old = parse_keywords(old_kw_page) if old_kw_page else None
    analysis = result.analysis if result else None
    added, removed = keyword_diff(old, analysis)
    return FileReport(path, status, old_path, added, removed, analysis.degraded if analysis else "")


class DocEngine:
    """Plans mirror changes for one repository state: sources and mirror are read through readers."""

    def __init__(self, config: RepoConfig, tree: SourceTree, sources: FileReader, mirror: TextReader):
        self.config = config
        self.tree = tree
        self.sources = sources
        self.mirror = mirror
        self._pages: dict[str, str | None] = {}
        self.layout = Layout(config.docs_dir)

    def read_page(self, path: str) -> str | None:
        """A mirror page as it is now; each page is read once per plan (the root's sub.md is large)."""
        if path not in self._pages:
            self._pages[path] = self.mirror.read_text(path)
        return self._pages[path]

    def page_context(self) -> PageContext:
        return page_context(self.config)

    def plan_changes(self, changes: Iterable[Change]) -> Plan:
        """Regenerate exactly what the given source changes affect."""
        plan = Plan()
        present, deleted, renamed, statuses = self._classify(changes, plan)
        regen = set(present)
        for path in set(deleted) | {p for p, s in statuses.items() if s in ("added", "renamed")}:
            regen |= self.tree.dependents(path)
        for path in regen - set(present):
            statuses.setdefault(path, "refreshed")
        rendered = self._render_all(sorted(regen), plan)
        self._file_pages(plan, rendered, deleted, renamed, statuses)
        FolderPlanner(self, plan).update(
            {p: r.analysis.description for p, r in rendered.items()},
            added=[p for p, s in statuses.items() if s in ("added", "renamed")],
            deleted=deleted,
        )
        return self._only_real_changes(plan)

    def plan_paths(self, paths: Iterable[str]) -> Plan:
        """Regenerate the pages of the named sources (deleted ones lose theirs)."""
        changes = []
        for path in sorted(set(paths)):
            if path in self.tree:
                exists = self.read_page(self.layout.docs_page(path)) is not None
                changes.append(Change("M" if exists else "A", path))
            else:
                changes.append(Change("D", path))
        return self.plan_changes(changes)

    def _classify(self, changes: Iterable[Change], plan: Plan):
        """Split changes into present sources, deleted sources, renames and a status per path."""
        present, deleted, renamed, statuses = [], [], {}, {}
        for change in changes:
            gone = change.old_path if change.status == "R" else change.path
            # A modified path that is no longer a source became a link, a submodule or a folder.
            vanished = change.status == "M" and change.path not in self.tree
            if (change.status in ("D", "R") or vanished) and self.config.is_source(gone) and gone not in self.tree:
                deleted.append(gone)
                if change.status != "R":
                    statuses[gone] = "deleted"
            if change.status == "D" or vanished:
                continue
            if change.path not in self.tree:
                if not self.config.is_generated(change.path):
                    plan.skipped.append((change.path, "not documented (excluded, a link, or generated)"))
                continue
            present.append(change.path)
            if change.status == "R" and gone in deleted:
                renamed[change.path] = gone
                statuses[change.path] = "renamed"
            else:
                statuses[change.path] = "modified" if change.status == "M" else "added"
        return present, deleted, renamed, statuses

    def _render_all(self, paths: list[str], plan: Plan) -> dict[str, RenderedFile]:
        rendered = {}
        for path in paths:
            data = self.sources.read(path)
            if data is None:
                plan.skipped.append((path, "could not be read"))
                continue
            rendered[path] = render_source(path, data, self.config, self.tree)
        return rendered

    def _file_pages(self, plan: Plan, rendered, deleted, renamed, statuses) -> None:
        moved_from = set(renamed.values())
        for path in deleted:
            plan.deletes.update(self.layout.file_pages(path))
            if path not in moved_from:
                plan.files.append(file_report(path, "deleted", self.read_page(self.layout.kw_page(path)), None))
        for path, result in rendered.items():
            docs, kw = self.layout.file_pages(path)
            plan.writes[docs], plan.writes[kw] = result.docs_md, result.kw_md
            old_kw = self.read_page(self.layout.kw_page(renamed.get(path, path)))
            plan.files.append(file_report(path, statuses[path], old_kw, result, renamed.get(path)))
        plan.files.sort(key=lambda r: r.path)

    def _only_real_changes(self, plan: Plan) -> Plan:
        """Drop writes identical to the current page and deletes of pages that do not exist; name the pages
        whose path a file docbot did not write holds (never overwritten, never deleted)."""
        plan.deletes = {p for p in plan.deletes if p not in plan.writes and self.read_page(p) is not None}
        plan.writes = {p: c for p, c in sorted(plan.writes.items()) if self.read_page(p) != c}
        plan.conflicts = self.taken_pages(set(plan.writes) | plan.deletes)
        plan.files = [r for r in plan.files if r.status != "refreshed" or self._touched(r.path, plan)]
        return plan

    def taken_pages(self, pages: Iterable[str]) -> list[str]:
        """Those of these pages whose path holds a file docbot did not write: never overwritten or deleted."""
        return sorted(p for p in pages if (text := self.read_page(p)) is not None and not is_docbot_page(text))

    def _touched(self, path: str, plan: Plan) -> bool:
        return any(p in plan.writes for p in self.layout.file_pages(path))

    def folder_description_source(self, path: str) -> str:
        """Description of an unchanged sibling, for rebuilding a folder page that is missing."""
        data = self.sources.read(path)
        if data is None:
            return ""
        analysis, _ = analyze_source(path, data, self.config.max_file_bytes)
        return analysis.description


