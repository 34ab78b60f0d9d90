"""`docbot pr`: the whole pull-request job on a local repository, no GitHub involved."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.config import CONFIG_PATH, RepoConfig, load_config
from bot.engine.changes import Change
from bot.engine.full import rebuild, whole_run_settings
from bot.engine.planner import DocEngine, Plan
from bot.engine.sources import SourceTree
from bot.engine.suggestions import DocPage, Suggestion, SuggestionPlan, hunks_from_patch, plan_suggestions
from bot.engine.summary import Summary, render_summary
from bot.errors import ConfigError, OwnershipError
from bot.repo.docs_commit import docs_commit
from bot.repo.git import GitRepo
from bot.repo.listing_cache import MAX_PATCHED, remembered_sources
from bot.repo.readers import RevisionFiles

_FILE_MODES = ("100644", "100755")


@dataclass(frozen=True)
class LocalPrResult:
    plan: Plan
    suggestions: tuple[Suggestion, ...]  # what the App would post as review suggestions (modes auto, suggestions)
    branch: str
    commit: str | None  # tip of the companion branch, None when the docs are current
    created: bool  # a new commit was made by this run
    summary: str
    head_sha: str
    base_sha: str


def local_companion_branch(head: str, head_sha: str) -> str:
    """`docbot/<head branch>`; a bare sha gives `docbot/<short sha>`."""
    name = head.removeprefix("refs/heads/")
    if re.fullmatch(r"[0-9a-f]{7,40}", name) or name in ("HEAD", "@"):
        name = head_sha[:12]
    return f"docbot/{name}"


def run_local_pr(repo: GitRepo, base: str, head: str, overrides: dict | None = None,
                 mode: str = "auto") -> LocalPrResult:
    """Regenerate the docs a branch's changes affect: as the App would suggest them (mode auto or
    suggestions), and every other page (mode branch: all of them) committed on the companion branch."""
    head_sha = repo.rev_parse(head)
    base_sha = repo.merge_base(base, head_sha)
    config = load_revision_config(repo, base, overrides)
    files = RevisionFiles(repo, head_sha)
    changes = repo.changes(base_sha, head_sha)
    before = config_at(repo, base_sha, overrides)
    if (whole := whole_run_settings(before, config, changes)) is not None:
        # Other settings or attributes choose other files and shape other text: only a full run is exact.
        config = whole
        plan = rebuild(DocEngine(config, remembered_sources(repo, config, head_sha), files, files), before)
    else:
        tree = source_tree_at(repo, config, base_sha, head_sha, changes)
        plan = DocEngine(config, tree, files, files).plan_changes(changes)
    if plan.conflicts:
        raise OwnershipError(plan.conflicts, config.docs_dir)
    suggested = SuggestionPlan()
    if mode != "branch" and plan:
        in_diff = {c.path for c in changes}
        suggested = plan_suggestions(_doc_pages(repo, base_sha, head_sha, plan, files, in_diff))
    branch_plan = plan.only(leftover.path for leftover in suggested.leftovers) if suggested.comments else plan
    branch = local_companion_branch(head, head_sha)
    commit, created = _publish(repo, branch, head_sha, branch_plan)
    text = render_summary(Summary(plan.files, sorted(plan.writes), sorted(plan.deletes), head_sha,
                                  _destination(branch, commit, len(suggested.comments))))
    return LocalPrResult(plan, tuple(suggested.comments), branch, commit, created, text, head_sha, base_sha)


def _doc_pages(repo: GitRepo, base_sha: str, head_sha: str, plan: Plan, files: RevisionFiles,
               in_diff: set[str]) -> list[DocPage]:
    """Each changed page at the head and regenerated, with the branch diff's hunks when the branch touched it."""
    return [DocPage(path, files.read_text(path), plan.writes.get(path),
                    hunks_from_patch(repo.diff(base_sha, head_sha, [path])) if path in in_diff else ())
            for path in plan.changed_pages]


def _destination(branch: str, commit: str | None, suggested: int) -> str:
    parts = [f"{suggested} suggestion(s) would be posted in a review."] if suggested else []
    if commit:
        what = "The other pages are" if suggested else "Regenerated pages are"
        parts.append(f"{what} on the companion branch `{branch}` (`{commit[:12]}`).")
    return " ".join(parts)


def source_tree_at(
    repo: GitRepo, config: RepoConfig, base_sha: str, head_sha: str, changes: list[Change]
) -> SourceTree:
    """The head's sources: remembered, or the merge base's (remembered or listed) patched with the diff."""
    if len(changes) > MAX_PATCHED or SourceTree.needs_listing(changes):
        return remembered_sources(repo, config, head_sha)

    def patched_base() -> SourceTree:
        base = remembered_sources(repo, config, base_sha)
        return base.after(changes, _regular_file_at(repo, head_sha, changes))

    return remembered_sources(repo, config, head_sha, derive=patched_base)


def _regular_file_at(repo: GitRepo, head_sha: str, changes: list[Change]) -> Callable[[str], bool]:
    """Whether a changed path is a regular file as git records it at the head (one ls-tree for all)."""
    modes = repo.modes(head_sha, {c.path for c in changes if c.status != "D"})
    return lambda path: modes.get(path) in _FILE_MODES


def config_at(repo: GitRepo, rev: str, overrides: dict | None) -> RepoConfig | None:
    """The settings as they were at `rev` (None when they were not valid there)."""
    try:
        return load_revision_config(repo, rev, overrides)
    except ConfigError:
        return None


def load_revision_config(repo: GitRepo, rev: str, overrides: dict | None) -> RepoConfig:
    """`.github/docbot.yml` as it is at `rev` (the base branch), with command-line overrides on top."""
    return load_config(repo.read_blob(repo.rev_parse(rev), CONFIG_PATH), overrides or {}, repo.project_name())


def _publish(repo: GitRepo, branch: str, head_sha: str, plan: Plan) -> tuple[str | None, bool]:
    """Point the companion branch at the docs commit on top of the head; idempotent."""
    existing = repo.branch_sha(branch)
    commit = docs_commit(repo, head_sha, plan, existing)
    if commit is None:
        if existing:
            repo.delete_branch(branch)
        return None, False
    if commit != existing:
        repo.set_branch(branch, commit)
    return commit, commit != existing
