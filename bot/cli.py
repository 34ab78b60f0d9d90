"""The `docbot` command line: generate, pr, serve, worker."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from bot.config import CONFIG_PATH, RepoConfig, load_config
from bot.engine.layout import Layout, SourceTree
from bot.engine.planner import DocEngine, Plan
from bot.errors import DocbotError, InputError
from bot.repo.git import Change, GitRepo
from bot.repo.listing_cache import MAX_PATCHED, remembered_sources, source_delta
from bot.repo.worktree import WorktreeFiles, write_pages

EXIT_OK, EXIT_STALE, EXIT_USAGE = 0, 1, 2
_FILES_SHOWN = 40


def _config_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("configuration (overrides .github/docbot.yml)")
    group.add_argument("--docs-dir", help="root of the mirror (default: docs)")
    group.add_argument("--include", action="append", metavar="GLOB", help="sources to document (repeatable)")
    group.add_argument("--exclude", action="append", metavar="GLOB", help="sources never documented (repeatable)")
    group.add_argument("--project-name", help="name used in prose (default: the repository folder's name)")
    group.add_argument("--max-file-bytes", type=int, help="larger files get a metadata-only page")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="docbot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="regenerate mirror pages in a local repository")
    gen.add_argument("paths", nargs="*", metavar="PATH", help="sources (or folders) to regenerate")
    gen.add_argument("--repo", default=".", help="the git repository (default: the current one)")
    gen.add_argument("--base", metavar="REV", help="regenerate files changed between REV and the work tree")
    gen.add_argument("--all", action="store_true", help="regenerate every tracked source (first generation)")
    gen.add_argument("--check", action="store_true", help="write nothing; exit 1 when any page is stale")
    gen.add_argument("--json", action="store_true", help="print the result as JSON")
    gen.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes for --all")
    _config_options(gen)
    pr = commands.add_parser("pr", help="run the pull-request job locally: companion branch + summary")
    pr.add_argument("--repo", default=".", help="the git repository")
    pr.add_argument("--base", required=True, metavar="REF", help="the branch the PR targets")
    pr.add_argument("--head", required=True, metavar="REF", help="the PR's branch")
    pr.add_argument("--mode", choices=("branch", "suggestions", "auto"), default="auto")
    pr.add_argument("--json", action="store_true", help="print the result as JSON")
    _config_options(pr)
    serve = commands.add_parser("serve", help="the webhook server (development; use gunicorn in production)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=3000)
    worker = commands.add_parser("worker", help="the queue consumer that runs jobs")
    worker.add_argument("--workers", type=int, default=1, help="jobs run at once")
    return parser


def _overrides(args: argparse.Namespace) -> dict:
    return {
        "docs_dir": args.docs_dir,
        "include": args.include,
        "exclude": args.exclude,
        "project_name": args.project_name,
        "max_file_bytes": args.max_file_bytes,
    }


def _repo_paths(repo: GitRepo, tree: SourceTree, docs: WorktreeFiles, raw: Sequence[str]) -> list[str]:
    """Command-line paths as repository paths; anything outside the repository is refused."""
    found: list[str] = []
    for arg in raw:
        full = os.path.realpath(os.path.abspath(arg))
        root = str(repo.root)
        if full != root and not full.startswith(root + os.sep):
            raise InputError(f"{arg}: outside the repository {root}")
        rel = "" if full == root else os.path.relpath(full, root).replace(os.sep, "/")
        if os.path.isdir(full):
            found += tree.files_under(rel)
        elif rel in tree or docs.read(Layout(tree.config.docs_dir).docs_page(rel)) is not None:
            found.append(rel)
        else:
            raise InputError(f"{arg}: not a documented source (excluded, missing, or generated)")
    return found


def cmd_generate(args: argparse.Namespace) -> int:
    repo = GitRepo(args.repo)
    files = WorktreeFiles(repo.root)
    config = load_config(files.read(CONFIG_PATH), _overrides(args), repo.root.name)
    changes = None
    if not args.all and not args.paths:
        if not args.base and not repo.has_commits():
            raise InputError("the repository has no commits yet: use --all for a first generation")
        changes = repo.changes(args.base or "HEAD")
    engine = DocEngine(config, _worktree_sources(repo, files, config, args.base, changes), files, files)
    if args.all:
        plan = _plan_all(engine, args.jobs, None if args.check else repo.root)
    elif args.paths:
        plan = engine.plan_paths(_repo_paths(repo, engine.tree, files, args.paths))
    else:
        plan = engine.plan_changes(changes)
    if not args.check:
        write_pages(repo.root, config.docs_dir, plan.writes, plan.deletes)
    _report(plan, args, config)
    return EXIT_STALE if args.check and plan else EXIT_OK


def _worktree_sources(
    repo: GitRepo, files: WorktreeFiles, config: RepoConfig, base: str | None, changes: list[Change] | None
) -> SourceTree:
    """The work tree's sources: for a change, the base commit's (remembered) patched with it; else listed."""
    if changes is not None and len(changes) <= MAX_PATCHED:
        tree = remembered_sources(repo, config, base or "HEAD")
        return tree.with_changes(*source_delta(changes, config, files.is_regular))
    gone = None if changes is None else {c.old_path or c.path for c in changes if c.status in ("D", "R")}
    paths, links = repo.worktree_files(gone, prune=config.without_generated)
    return SourceTree(paths, config, links)


def _plan_all(engine: DocEngine, jobs: int, write_root) -> Plan:
    from tqdm import tqdm

    from bot.engine.full import plan_all

    total = len(engine.tree.sources)
    with tqdm(total=total, unit="file", disable=not sys.stderr.isatty() or total < 50, file=sys.stderr) as bar:
        return plan_all(engine, jobs=max(1, jobs), progress=bar.update, write_root=write_root)


def _report(plan: Plan, args: argparse.Namespace, config: RepoConfig) -> None:
    if args.json:
        print(json.dumps(plan_as_json(plan, args.check), indent=2, ensure_ascii=False))
        return
    if args.check:
        if plan:
            print(f"docbot: {len(plan.changed_pages)} page(s) stale under {config.docs_dir}/:")
            print("\n".join(f"  {p}" for p in plan.changed_pages))
        else:
            print(f"docbot: documentation under {config.docs_dir}/ is current")
        return
    print(format_plan(plan, config))


def format_plan(plan: Plan, config: RepoConfig) -> str:
    """A short human summary: counts, then one line per file with its keyword changes."""
    if not plan:
        return f"docbot: documentation under {config.docs_dir}/ is current; nothing written"
    lines = [
        f"docbot: {len(plan.files)} file(s); {len(plan.written_pages)} page(s) written, "
        f"{len(plan.deletes)} deleted under {config.docs_dir}/"
    ]
    shown = plan.files[:_FILES_SHOWN]
    for report in shown:
        label = f"{report.old_path} -> {report.path}" if report.old_path else report.path
        changes = [f"+{k}: {', '.join(v)}" for k, v in report.added.items()]
        changes += [f"-{k}: {', '.join(v)}" for k, v in report.removed.items()]
        detail = "; ".join(changes)
        lines.append(f"  {report.status:<9} {label}" + (f"  [{detail[:160]}]" if detail else ""))
    if len(plan.files) > len(shown):
        lines.append(f"  ... and {len(plan.files) - len(shown)} more file(s) (--json lists them all)")
    for path, reason in plan.skipped[:20]:
        lines.append(f"  skipped   {path}: {reason}")
    return "\n".join(lines)


def plan_as_json(plan: Plan, check: bool = False) -> dict:
    return {
        "stale": bool(plan) if check else None,
        "written": plan.written_pages,
        "deleted": sorted(plan.deletes),
        "files": [
            {"path": r.path, "status": r.status, "old_path": r.old_path, "added": r.added,
             "removed": r.removed, "degraded": r.degraded}
            for r in plan.files
        ],
        "skipped": [{"path": p, "reason": why} for p, why in plan.skipped],
    }


def cmd_pr(args: argparse.Namespace) -> int:
    from bot.local.pr import run_local_pr

    result = run_local_pr(GitRepo(args.repo), args.base, args.head, _overrides(args))
    if args.json:
        data = plan_as_json(result.plan)
        data.update(branch=result.branch, commit=result.commit, created=result.created,
                    head=result.head_sha, base=result.base_sha, summary=result.summary)
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return EXIT_OK
    print(result.summary, end="")
    if result.commit:
        state = "new commit" if result.created else "unchanged"
        print(f"\ndocbot: companion branch {result.branch} -> {result.commit[:12]} ({state})")
    else:
        print(f"\ndocbot: documentation is current; no companion branch ({result.branch})")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handlers = {"generate": cmd_generate, "pr": cmd_pr, "serve": cmd_serve, "worker": cmd_worker}
    try:
        return handlers[args.command](args)
    except DocbotError as exc:
        print(f"docbot: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK


def _configure_logging() -> None:
    """Long-running commands log to stderr; level from DOCBOT_LOG_LEVEL (default INFO)."""
    import logging

    level = os.environ.get("DOCBOT_LOG_LEVEL", "INFO").upper()
    logging.basicConfig(level=getattr(logging, level, logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def cmd_serve(args: argparse.Namespace) -> int:
    from bot.app.settings import Settings

    _configure_logging()
    from bot.app.webhook import serve

    serve(Settings.from_env(), args.host, args.port)
    return EXIT_OK


def cmd_worker(args: argparse.Namespace) -> int:
    from bot.app.queue import run_worker
    from bot.app.settings import Settings
    from bot.pr.runner import run

    _configure_logging()
    run_worker(Settings.from_env(), workers=args.workers, runner=run)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
