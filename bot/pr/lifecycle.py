"""A repository's life beyond pull requests: onboarding when the App is installed, the default branch kept
true after every push (`docbot/sync`), and re-runs of docbot's check.

Both branches carry one commit on top of the default branch and one pull request into it: docbot
rewrites them when the default branch moves, and retires them when there is nothing left to do.
"""

from __future__ import annotations

from dataclasses import replace

from bot.app.locks import job_lock
from bot.config import CONFIG_PATH, RepoConfig
from bot.engine.check import check_mirror, page_facts
from bot.engine.full import rebuild
from bot.engine.layout import Layout
from bot.engine.onboarding import config_text, free_docs_dir
from bot.engine.planner import DocEngine, Plan
from bot.engine.records import is_docbot_page
from bot.github.records import PullInfo
from bot.pr.job_context import JobContext
from bot.pr.regenerate import config_at
from bot.pr.sync import aimed_at, sync_locked
from bot.repo.docs_commit import docs_commit
from bot.repo.git import BareRepo
from bot.repo.readers import NOT_FILES, ReadStats, TreeFiles
from bot.repo.snapshots import snapshot_at

SYNC_BRANCH = "docbot/sync"
ONBOARDING_BRANCH = "docbot/onboarding"
SHOWN = 100


def rerun(ctx: JobContext) -> str:
    """Re-run on docbot's check run or check suite: the PR job again for that head."""
    job = ctx.job
    pull = (ctx.api.get_pull(ctx.repo, job.pr_number) if job.pr_number
            else ctx.api.find_pull_by_head_sha(ctx.repo, job.head_sha or ""))
    if pull is None or pull.state != "open":
        return f"no open pull request has the head {(job.head_sha or '')[:12]}"
    aimed = aimed_at(ctx, pull).aimed_at(pr_number=pull.number)
    with job_lock(ctx.settings, f"{ctx.repo.lower()}#{pull.number}"):
        return "re-run: " + sync_locked(aimed, explicit=True).text


def sync_default_branch(ctx: JobContext) -> str:
    """A push to the default branch: when the mirror there is stale, one `docbot/sync` PR makes it whole."""
    branch = ctx.job.head_ref or ctx.api.default_branch(ctx.repo)
    with job_lock(ctx.settings, f"{ctx.repo.lower()}@{branch}"), ctx.git_cache() as cache:
        tip, existing = _fetch(cache, branch, SYNC_BRANCH)
        config = config_at(cache, tip, ctx.repo.split("/")[1])
        if config is None or config.mode == "off":
            return "skipped: no valid settings, or mode is off"
        snapshot = snapshot_at(cache, ctx.repo, config, tip, tip)
        entries, tree = snapshot.entries, snapshot.tree
        layout = Layout(config.docs_dir)
        if layout.folder_page("", "index.md") not in entries:
            return "skipped: no mirror on the default branch yet (onboarding makes it)"
        pages = [p for p in entries if p.startswith(config.docs_dir + "/")]
        files = _files(cache, entries, {entries[p].oid for p in pages})
        blobs = {p: entries[p].oid for p in tree.sources}
        stale = check_mirror(config, tree, blobs, pages, lambda p: _facts(files, p))
        if not stale:
            return _retire(ctx, cache, SYNC_BRANCH, branch, existing, "the mirror on the default branch is current")
        files = _files(cache, entries, {e.oid for p, e in entries.items() if p in tree or p in pages})
        plan = rebuild(DocEngine(config, tree, files, files), None)
        body = _sync_body(branch, stale)
        return _propose(ctx, cache, plan, tip, existing, SYNC_BRANCH, branch,
                        f"docs: bring the documentation mirror of {branch} up to date", body)


def onboard(ctx: JobContext) -> str:
    """The App was installed: each repository without a mirror gets one pull request that adds it."""
    return "; ".join(f"{name}: {_onboard(replace(ctx, job=replace(ctx.job, repo=name)))}"
                     for name in (ctx.job.repositories or (ctx.job.repo,)))


def _onboard(ctx: JobContext) -> str:
    branch = ctx.api.default_branch(ctx.repo)
    with job_lock(ctx.settings, f"{ctx.repo.lower()}@{branch}"), ctx.git_cache() as cache:
        tip, existing = _fetch(cache, branch, ONBOARDING_BRANCH)
        entries = cache.tree_entries(tip)
        written = cache.read_blob(tip, CONFIG_PATH)
        if written is not None:
            config = config_at(cache, tip, ctx.repo.split("/")[1])
            if config is None:
                return "skipped: its .github/docbot.yml is not valid"
        else:
            files = _files(cache, entries, set())
            docs_dir = free_docs_dir(entries, lambda p: is_docbot_page(files.read_text(p)))
            if docs_dir is None:
                return "skipped: every usual mirror folder holds hand-written files"
            config = RepoConfig(docs_dir=docs_dir).with_project(ctx.repo.split("/")[1])
        if Layout(config.docs_dir).folder_page("", "index.md") in entries:
            return "skipped: it has a mirror already"
        tree = snapshot_at(cache, ctx.repo, config, tip, tip).tree
        files = _files(cache, entries, {e.oid for p, e in entries.items() if p in tree})
        added = {} if written is not None else {CONFIG_PATH: config_text(config.docs_dir)}
        if added:  # the new settings file is a source of the mirror like any other file
            tree, files = tree.with_changes(set(added), set()), _Overlay(files, added)
        plan = rebuild(DocEngine(config, tree, files, files), None)
        plan.writes.update(added)
        body = _onboarding_body(config, len(tree.sources), written is None)
        return _propose(ctx, cache, plan, tip, existing, ONBOARDING_BRANCH, branch,
                        "docs: add docbot's documentation mirror", body)


def _fetch(cache: BareRepo, branch: str, ours: str) -> tuple[str, str | None]:
    """One blobless fetch of the branch and of docbot's branch (when it exists): their tips."""
    target = f"refs/remotes/origin/{branch}"
    cache.fetch([f"+refs/heads/{branch}:{target}", f"+refs/heads/{ours}*:refs/remotes/origin/{ours}*"])
    found = cache.refs(target, f"refs/remotes/origin/{ours}")
    return found[target], found.get(f"refs/remotes/origin/{ours}")


def _files(cache: BareRepo, entries, oids: set[str]) -> TreeFiles:
    """The commit's files, these blobs fetched in one batch first."""
    stats = ReadStats(fetched=cache.fetch_objects(oids), planned=len(oids))
    return TreeFiles(cache, {p: e for p, e in entries.items() if e.mode not in NOT_FILES}, oids, stats)


class _Overlay:
    """A commit's files with a few more written on top (what the proposed commit will hold)."""

    def __init__(self, files: TreeFiles, extra: dict[str, str]):
        self.files, self.extra = files, extra

    def read(self, path: str) -> bytes | None:
        return self.extra[path].encode() if path in self.extra else self.files.read(path)

    def read_text(self, path: str) -> str | None:
        return self.extra[path] if path in self.extra else self.files.read_text(path)

    def list_files(self, folder: str) -> list[str]:
        return self.files.list_files(folder)


_known_facts: dict[str, object] = {}  # page blob id -> what it says of itself (content-addressed)


def _facts(files: TreeFiles, page: str):
    entry = files.entries.get(page)
    if entry is None:
        return None
    if entry.oid not in _known_facts:
        if len(_known_facts) > 500_000:
            _known_facts.clear()
        text = files.read_text(page)
        _known_facts[entry.oid] = None if text is None else page_facts(text)
    return _known_facts[entry.oid]


def _propose(ctx: JobContext, cache: BareRepo, plan: Plan, tip: str, existing: str | None, branch: str,
             base: str, title: str, body: str) -> str:
    """One commit on the tip with the plan, on `branch`, and one open PR from it into `base`."""
    commit = docs_commit(cache, tip, plan, existing)
    if commit is None:
        return _retire(ctx, cache, branch, base, existing, "nothing to change")
    if commit != existing:
        cache.push(commit, f"refs/heads/{branch}", existing)
    pull = ctx.api.find_open_pull(ctx.repo, f"{ctx.owner}:{branch}", base)
    if pull is None:
        pull = ctx.api.create_pull(ctx.repo, title=title, body=body, head=branch, base=base)
    elif pull.body.strip() != body.strip():
        ctx.api.edit_pull(ctx.repo, pull.number, body=body)
    return f"{len(plan.changed_pages)} page(s) on {branch}, #{pull.number}"


def _retire(ctx: JobContext, cache: BareRepo, branch: str, base: str, existing: str | None, why: str) -> str:
    """Nothing to propose: close docbot's PR and delete its branch, when they exist."""
    if existing is None:
        return why
    pull: PullInfo | None = ctx.api.find_open_pull(ctx.repo, f"{ctx.owner}:{branch}", base)
    if pull is not None:
        ctx.api.edit_pull(ctx.repo, pull.number, state="closed")
    cache.push(None, f"refs/heads/{branch}", existing)
    return f"{why}; {branch} retired"


def _sync_body(branch: str, stale) -> str:
    rows = [f"- `{s.page}`: {s.reason}" for s in stale[:SHOWN]]
    more = [f"- … and {len(stale) - SHOWN} more page(s)"] if len(stale) > SHOWN else []
    return "\n".join(["<!-- docbot:sync -->",
                      f"The documentation mirror on `{branch}` is not what docbot generates from it (a pull "
                      "request merged without its docs, a settings change, a hand edit, or two merges that each "
                      "were current alone). This pull request makes it whole; docbot rewrites it on every push "
                      f"to `{branch}` and closes it once the mirror is current.", "", *rows, *more]) + "\n"


def _onboarding_body(config: RepoConfig, sources: int, new_config: bool) -> str:
    settings = ("It also adds `.github/docbot.yml` with the default settings; `docs_dir` is "
                f"`{config.docs_dir}`, where no hand-written file is." if new_config
                else "It follows the settings in `.github/docbot.yml`.")
    return "\n".join([
        "<!-- docbot:onboarding -->",
        "### Welcome to docbot",
        "",
        f"This pull request adds the documentation mirror of this repository under `{config.docs_dir}/`: for "
        f"each of the {sources:,} documented files a `_docs.md` page and a `_kw.md` keyword index, and for every "
        "folder `index.md`, `doc.md` and `sub.md`. It is exactly what `docbot generate --all` writes.", "",
        settings, "",
        "**What happens next.** Once this is merged, docbot regenerates the pages of the files each pull "
        "request changes and offers them as review suggestions, a companion branch or a commit (`mode`), keeps "
        "a summary comment and a `docbot` check run up to date, and opens a `docbot/sync` pull request when the "
        "default branch's mirror goes stale. Until then pull requests get a neutral check run.", "",
        "**Configure.** Edit `.github/docbot.yml` on the default branch: `docs_dir`, `include`/`exclude` "
        "(gitignore patterns), `mode` (auto, suggestions, branch, commit, off), `max_files`, `project_name`. "
        "Comment `/docs help` on any pull request for the commands."]) + "\n"
