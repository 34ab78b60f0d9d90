"""docbot as a GitHub Action step (`action.yml`): check the mirror, or regenerate it with `fix: true`,
and say what happened in the job's step summary (`$GITHUB_STEP_SUMMARY`)."""

from __future__ import annotations

import os
import sys

from bot.errors import DocbotError
from bot.local.check import run_check
from bot.local.generate import GenerateRequest, run_generate

SHOWN = 200


def summary_of_check(stale, docs_dir: str, sources: int) -> str:
    if not stale:
        return f"### docbot: the documentation mirror is current\n\n{sources} source(s) checked under `{docs_dir}/`.\n"
    rows = [f"| `{s.page}` | {s.reason} |" for s in stale[:SHOWN]]
    more = [f"\n… and {len(stale) - SHOWN} more page(s)."] if len(stale) > SHOWN else []
    return "\n".join([f"### docbot: {len(stale)} page(s) stale under `{docs_dir}/`", "",
                      "Run `docbot generate --all` (or this action with `fix: true`) and commit the result.", "",
                      "| page | why |", "| --- | --- |", *rows, *more]) + "\n"


def summary_of_fix(changed: list[str], docs_dir: str) -> str:
    if not changed:
        return f"### docbot: the documentation mirror is current\n\nNothing to regenerate under `{docs_dir}/`.\n"
    rows = [f"- `{page}`" for page in changed[:SHOWN]]
    return "\n".join([f"### docbot: {len(changed)} page(s) regenerated under `{docs_dir}/`", "",
                      "Commit them in a following step.", "", *rows]) + "\n"


def main() -> int:
    fix = os.environ.get("DOCBOT_FIX", "false").strip().lower() in ("true", "1", "yes")
    try:
        if fix:
            plan, config = run_generate(GenerateRequest(".", everything=True, jobs=os.cpu_count() or 1))
            text, code = summary_of_fix(plan.changed_pages, config.docs_dir), 0
        else:
            stale, config, sources = run_check(".")
            text, code = summary_of_check(stale, config.docs_dir, sources), 1 if stale else 0
    except DocbotError as exc:
        text, code = f"### docbot could not run\n\n{exc}\n", 2
    print(text, end="")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as out:
            out.write(text)
    return code


if __name__ == "__main__":
    sys.exit(main())
