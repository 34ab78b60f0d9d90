"""The one docs commit: the regenerated pages on top of a head, reused when it exists, and its trailer."""

from __future__ import annotations

import re

from bot.engine.planner import Plan
from bot.repo.git import GitRepo

TRAILER = "Docbot-Generated: true"
_KEY, _VALUE = (part.strip() for part in TRAILER.split(":", 1))
# git compares trailer keys case-insensitively and allows spaces before the colon.
_TRAILER_LINE = re.compile(rf"{re.escape(_KEY)}\s*:\s*{re.escape(_VALUE)}\s*", re.IGNORECASE)


def docs_commit(repo: GitRepo, head_sha: str, plan: Plan, existing: str | None) -> str | None:
    """One commit on top of `head_sha` with the plan's page changes; `existing` (a branch tip) when it
    already is exactly that commit's parent and tree; None when the plan changes nothing."""
    if not plan:
        return None
    writes = {path: text.encode("utf-8") for path, text in plan.writes.items()}
    tree = repo.build_tree(head_sha, writes, plan.deletes)
    if existing and repo.parents_of(existing) == [head_sha] and repo.tree_of(existing) == tree:
        return existing
    title = f"docs: regenerate the mirror for {len(plan.files)} changed file(s)"
    return repo.commit_tree(tree, head_sha, f"{title}\n\n{TRAILER}\nDocbot-Head: {head_sha}\n")


def has_docbot_trailer(message: str | None) -> bool:
    """Whether the commit message's trailer block (its last paragraph) says `Docbot-Generated: true`."""
    paragraphs = [p for p in re.split(r"\n[ \t]*\n", (message or "").replace("\r\n", "\n").strip()) if p.strip()]
    # A subject line alone is no trailer block, and a trailer quoted in the body is not ours.
    if len(paragraphs) < 2:
        return False
    return any(_TRAILER_LINE.fullmatch(line.strip()) for line in paragraphs[-1].split("\n"))
