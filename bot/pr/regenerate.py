"""A PR's docs in the git cache: fetch what the job needs, plan the mirror changes, prepare the commit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from bot.config import CONFIG_PATH, RepoConfig, parse_config
from bot.engine.changes import Change
from bot.engine.full import rebuild, whole_run_settings
from bot.engine.layout import FOLDER_PAGES, Layout, ancestors, folder_of
from bot.engine.planner import DocEngine, Plan
from bot.engine.sources import SourceTree
from bot.errors import ConfigError, OwnershipError
from bot.pr.job_context import companion_branch
from bot.repo.docs_commit import docs_commit
from bot.repo.git import BareRepo
from bot.repo.readers import NOT_FILES, ReadStats, TreeFiles
from bot.repo.snapshots import snapshot_at
from bot.repo.tree_objects import TreeEntry

DEFAULT_REF = "refs/docbot/default"
ONBOARDING = "docbot/onboarding"


@dataclass(frozen=True)
class PullRefs:
    """The commits a PR job works from, as fetched into the cache."""

    default_sha: str
    base_sha: str  # tip of the PR's base branch
    head_sha: str
    companion_tip: str | None  # the companion branch on origin, None when it does not exist
    onboarding_tip: str | None = None  # docbot/onboarding on origin: the repository is being set up


@dataclass(frozen=True)
class DocWork:
    """The result of planning: the mirror changes and the companion commit that carries them."""

    plan: Plan
    refs: PullRefs
    commit: str | None  # None when the docs are current
    stats: ReadStats = field(default_factory=ReadStats)
    in_diff: frozenset[str] = frozenset()  # paths the PR's diff (merge base -> head) touches
    head_pages: dict[str, str | None] = field(default_factory=dict)  # changed pages as they are at the head
    head_message: str = ""  # the head commit's message, for the loop guard
    too_many: int = 0  # changed files, when over max_files: nothing was planned

    @property
    def needs_push(self) -> bool:
        return self.commit is not None and self.commit != self.refs.companion_tip


def fetch_pull(cache: BareRepo, number: int, head_sha: str, base_ref: str) -> PullRefs:
    """One blobless fetch of the default branch, the base branch, the head sha and the companion branch."""
    branch = companion_branch(number)
    # A pattern fetches the companion branch when it exists and nothing otherwise (an exact refspec
    # would fail); the negative patterns keep docbot/pr-<number><digit>... out.
    exclude = [f"^refs/heads/{branch}{digit}*" for digit in range(10)]
    cache.fetch([
        f"+HEAD:{DEFAULT_REF}",
        f"+refs/heads/{base_ref}:refs/remotes/origin/{base_ref}",
        f"+{head_sha}:refs/docbot/pull/{number}/head",
        f"+refs/heads/{branch}*:refs/remotes/origin/{branch}*",
        *exclude,
        f"+refs/heads/{ONBOARDING}*:refs/remotes/origin/{ONBOARDING}*",
    ])
    base, companion = f"refs/remotes/origin/{base_ref}", f"refs/remotes/origin/{branch}"
    onboarding = f"refs/remotes/origin/{ONBOARDING}"
    found = cache.refs(DEFAULT_REF, base, companion, f"refs/docbot/pull/{number}/head", onboarding)
    return PullRefs(found[DEFAULT_REF], found[base], found[f"refs/docbot/pull/{number}/head"], found.get(companion),
                    found.get(onboarding))


def read_config(cache: BareRepo, refs: PullRefs, repo_name: str) -> tuple[RepoConfig, str]:
    """`.github/docbot.yml` of the default branch, or the defaults and a note saying why."""
    try:
        config, note = parse_config(cache.read_blob(refs.default_sha, CONFIG_PATH)), ""
    except ConfigError as exc:
        config, note = RepoConfig(), f"{exc}; docbot used its default settings."
    return config.with_project(repo_name), note


def config_at(cache: BareRepo, rev: str, project: str) -> RepoConfig | None:
    """The settings as they were at `rev` (None when not valid there)."""
    try:
        return parse_config(cache.read_blob(rev, CONFIG_PATH)).with_project(project)
    except ConfigError:
        return None


def plan_docs(cache: BareRepo, repo: str, config: RepoConfig, refs: PullRefs, max_files: int | None = None
              ) -> DocWork:
    """Regenerate the pages of the files the PR changes (merge-base diff), reading the head; nothing when
    more than `max_files` files changed (the PR gets a hint to ask for it)."""
    head = refs.head_sha
    base = cache.merge_base(refs.base_sha, head)
    changes = cache.changes(base, head)
    if max_files is not None and len(changes) > max_files:
        return DocWork(Plan(), refs, refs.companion_tip, too_many=len(changes), head_message=cache.commit_message(head))
    before = config_at(cache, base, repo.split("/")[1])
    whole = whole_run_settings(before, config, changes)
    config = whole if whole is not None else config
    snapshot = snapshot_at(cache, repo, config, base, head)
    entries, tree = snapshot.entries, snapshot.tree
    if whole is not None:  # other settings or attributes since the merge base: only the whole mirror is exact
        reads = {p for p in entries if p in tree or p.startswith((config.docs_dir + "/", config.moved_from + "/"))}
    else:
        reads = pages_to_read(changes, tree, Layout(config.docs_dir), entries)
    wanted = {entries[p].oid for p in reads if entries[p].mode not in NOT_FILES}
    stats = ReadStats(fetched=cache.fetch_objects(wanted), planned=len(wanted))
    files = TreeFiles(cache, entries, wanted, stats)
    engine = DocEngine(config, tree, files, files)
    plan = rebuild(engine, before) if whole is not None else engine.plan_changes(changes)
    if plan.conflicts:
        raise OwnershipError(plan.conflicts, config.docs_dir)
    in_diff = frozenset({c.path for c in changes} | {c.old_path for c in changes if c.old_path})
    head_pages = {path: files.read_text(path) for path in plan.changed_pages}
    return DocWork(plan, refs, companion_commit(cache, plan, refs), stats, in_diff, head_pages,
                   cache.commit_message(head))


def only_pages(cache: BareRepo, work: DocWork, paths: Iterable[str]) -> DocWork:
    """The same work narrowed to these pages, with its own companion commit (None when none is left)."""
    plan = work.plan.only(paths)
    return replace(work, plan=plan, commit=companion_commit(cache, plan, work.refs))


def pages_to_read(changes: Iterable[Change], tree: SourceTree, layout: Layout,
                  entries: dict[str, TreeEntry]) -> set[str]:
    """Every path the engine may read at the head for these changes (a superset), to fetch in one go."""
    present = {c.path for c in changes if c.status != "D"}
    gone = {c.old_path or c.path for c in changes if c.status in ("D", "R")}
    touched = present | gone
    for path in present | gone:
        touched |= tree.dependents(path)
    paths = {p for p in touched if p in tree}
    for path in touched:
        paths.update(layout.file_pages(path))
    for folder in {a for p in touched for a in ancestors(folder_of(p))}:
        pages = [layout.folder_page(folder, name) for name in FOLDER_PAGES]
        paths.update(pages)
        if pages[0] not in entries:  # no index page: the engine rebuilds it from the folder's sources
            paths.update(tree.files_in(folder))
    return {p for p in paths if p in entries and entries[p].mode not in NOT_FILES}


def companion_commit(cache: BareRepo, plan: Plan, refs: PullRefs) -> str | None:
    """The docs commit on top of the PR head; the companion branch's tip when it already is exactly that."""
    return docs_commit(cache, refs.head_sha, plan, refs.companion_tip)
