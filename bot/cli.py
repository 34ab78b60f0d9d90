"""The `docbot` command line: generate, check, pr, serve, worker."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

from analyzers.model import PARSE_FILENAME
from bot import __version__
from bot.errors import DocbotError, InputError

if TYPE_CHECKING:
    from bot.config import RepoConfig
    from bot.engine.planner import Plan

EXIT_OK, EXIT_STALE, EXIT_USAGE = 0, 1, 2


def _config_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("configuration (overrides .github/docbot.yml)")
    group.add_argument("--docs-dir", help="root of the mirror (default: docs)")
    group.add_argument("--include", action="append", metavar="GLOB", help="sources to document (repeatable)")
    group.add_argument("--exclude", action="append", metavar="GLOB", help="sources never documented (repeatable)")
    group.add_argument("--project-name", help="name used in prose (default: the repository folder's name)")
    group.add_argument("--max-file-bytes", type=int, help="larger files get a metadata-only page")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="docbot", description=__doc__)
    parser.add_argument("--version", action="version", version=f"docbot {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="regenerate mirror pages in a local repository")
    gen.add_argument("paths", nargs="*", metavar="PATH", help="sources (or folders) to regenerate")
    gen.add_argument("--repo", default=".", help="the git repository (default: the current one)")
    gen.add_argument("--base", metavar="REV", help="regenerate files changed between REV and the work tree")
    gen.add_argument("--all", action="store_true", help="regenerate every tracked source (first generation)")
    gen.add_argument("--check", action="store_true", help="write nothing; exit 1 when any page is stale")
    gen.add_argument("--staged", action="store_true",
                     help="the pre-commit hook: document what is staged; exit 1 when pages were written")
    gen.add_argument("--json", action="store_true", help="print the result as JSON")
    gen.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes for --all")
    _config_options(gen)
    pr = commands.add_parser("pr", help="run the pull-request job locally: companion branch + summary")
    pr.add_argument("--repo", default=".", help="the git repository")
    pr.add_argument("--base", required=True, metavar="REF", help="the branch the PR targets")
    pr.add_argument("--head", required=True, metavar="REF", help="the PR's branch")
    pr.add_argument("--mode", choices=("branch", "suggestions", "auto"), default="auto",
                    help="auto/suggestions: pages the branch itself changed are shown as the review suggestions the "
                         "App would post, the rest go to the companion branch; branch: every page goes there")
    pr.add_argument("--json", action="store_true", help="print the result as JSON")
    _config_options(pr)
    check = commands.add_parser("check", help="verify the whole mirror from its pages' records (no analysis)")
    check.add_argument("--repo", default=".", help="the git repository (default: the current one)")
    check.add_argument("--json", action="store_true", help="print the result as JSON")
    _config_options(check)
    init = commands.add_parser("init", help="write .github/docbot.yml with a docs_dir no hand-written file is in")
    init.add_argument("--repo", default=".", help="the git repository (default: the current one)")
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


def cmd_init(args: argparse.Namespace) -> int:
    from bot.local.init import run_init

    path, docs_dir = run_init(args.repo)
    print(f"docbot: wrote {path} (docs_dir: {docs_dir}). Next:")
    print("  docbot generate --all")
    print(f"  git add {path} {docs_dir} && git commit -m 'docs: add the docbot mirror'")
    return EXIT_OK


def cmd_staged(args: argparse.Namespace) -> int:
    from bot.local.hook import run_staged

    if args.all or args.paths or args.base or args.check:
        raise InputError("--staged documents what is staged: it takes no --all, --base, --check or paths")
    plan, config = run_staged(args.repo, _overrides(args))
    _report(plan, args, config)
    if plan:
        print(f"docbot: files were modified: {len(plan.changed_pages)} page(s) under {config.docs_dir}/ "
              f"regenerated; add them (git add {config.docs_dir}) and commit again", file=sys.stderr)
        return EXIT_STALE
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from bot.engine.check import NOT_OURS
    from bot.local.check import run_check
    from bot.local.report import check_as_json, format_check

    stale, config, sources = run_check(args.repo, _overrides(args))
    if args.json:
        print(json.dumps(check_as_json(stale, sources), indent=2, ensure_ascii=False))
    else:
        print(format_check(stale, config, sources))
    if any(s.reason == NOT_OURS for s in stale):
        print(f"docbot: error: files docbot did not write sit where its pages go under {config.docs_dir}/; "
              "choose another docs_dir (`docbot init` picks a free one)", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_STALE if stale else EXIT_OK


def _keep_templates_compiled() -> None:
    """Compiled page templates kept between runs in Jinja's cache folder for this user (in the temp
    folder, made 0700; Jinja refuses one that is a link or someone else's, and then docbot compiles)."""
    import jinja2

    from bot.engine.templates import keep_compiled

    try:
        keep_compiled(jinja2.FileSystemBytecodeCache())
    except (OSError, RuntimeError):  # no safe folder: compile as if there were no cache
        keep_compiled(None)


def cmd_generate(args: argparse.Namespace) -> int:
    if args.check and not (args.all or args.paths or args.base or args.staged):
        return cmd_check(args)  # the whole mirror, from its records
    _keep_templates_compiled()
    if args.staged:
        return cmd_staged(args)
    from bot.local.generate import GenerateRequest, run_generate

    request = GenerateRequest(args.repo, tuple(args.paths), args.base, args.all, args.check, args.jobs,
                              _overrides(args))
    plan, config = run_generate(request)
    _report(plan, args, config)
    return EXIT_STALE if args.check and plan else EXIT_OK


def _report(plan: Plan, args: argparse.Namespace, config: RepoConfig) -> None:
    from bot.local.report import format_plan, plan_as_json

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


def cmd_pr(args: argparse.Namespace) -> int:
    _keep_templates_compiled()
    from bot.local.pr import run_local_pr
    from bot.local.report import format_pr, pr_as_json
    from bot.repo.git import GitRepo

    result = run_local_pr(GitRepo(args.repo), args.base, args.head, _overrides(args), args.mode)
    if args.json:
        print(json.dumps(pr_as_json(result), indent=2, ensure_ascii=False))
    else:
        print(format_pr(result), end="")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # The parsers' warnings are about the analyzed code, never about docbot (see analyzers/model.py).
    warnings.filterwarnings("ignore", module=re.escape(PARSE_FILENAME))
    handlers = {"generate": cmd_generate, "check": cmd_check, "init": cmd_init, "pr": cmd_pr, "serve": cmd_serve,
                "worker": cmd_worker}
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


def _require_app(command: str) -> None:
    """The App's server stack is an extra: say which one to install instead of a traceback."""
    import importlib.util

    missing = [m for m in ("flask", "huey", "github", "jwt") if importlib.util.find_spec(m) is None]
    if missing:
        raise InputError(f"`docbot {command}` runs the GitHub App, whose dependencies are not installed "
                         f"({', '.join(missing)}): pip install 'docbot-mirror[app]'")


def cmd_serve(args: argparse.Namespace) -> int:
    _require_app("serve")
    from bot.app.settings import Settings

    _configure_logging()
    from bot.app.webhook import serve

    serve(Settings.from_env(), args.host, args.port)
    return EXIT_OK


def cmd_worker(args: argparse.Namespace) -> int:
    _require_app("worker")
    from bot.app.queue import run_worker
    from bot.app.settings import Settings
    from bot.pr.runner import report_lost, run

    _configure_logging()
    run_worker(Settings.from_env(), workers=args.workers, runner=run, reporter=report_lost)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
