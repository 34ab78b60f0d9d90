"""Where docbot may push for a pull request, and how a fork's author applies the docs themselves (pure)."""

from __future__ import annotations

import html
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.engine.markdown import fence

WORKFLOWS = ".github/workflows"
PATCH_LIMIT = 30_000  # characters of patch in the summary, which GitHub caps at 65,536 in all


@dataclass(frozen=True)
class PullRepos:
    """The facts of a PR that decide where docbot may push."""

    base_repo: str  # owner/name
    head_repo: str | None  # None once the fork is deleted
    head_owner_type: str | None  # "User" or "Organization"
    maintainer_can_modify: bool

    @classmethod
    def from_pull(cls, pull: Any, base_repo: str) -> PullRepos:
        """From the job's PullInfo (head_repo, head_owner_type, maintainer_can_modify) and the repository."""
        return cls(base_repo, pull.head_repo, pull.head_owner_type, bool(pull.maintainer_can_modify))

    @property
    def same_repo(self) -> bool:
        # GitHub names are case-insensitive.
        return self.head_repo is not None and self.head_repo.lower() == self.base_repo.lower()


@dataclass(frozen=True)
class PushDecision:
    """Whether one commit may go onto the PR branch, and why in words."""

    allowed: bool
    reason: str


def push_target(repos: PullRepos) -> PushDecision:
    """May docbot push its commit onto the PR's head branch? Never onto an org-owned or deleted fork."""
    if repos.head_repo is None:
        return PushDecision(False, "the fork this pull request came from was deleted")
    if repos.same_repo:
        return PushDecision(True, f"the branch is in {repos.base_repo}")
    if repos.head_owner_type != "User":
        return PushDecision(False, f"{repos.head_repo} is owned by an organization: GitHub lets no one else push "
                                   "to its branches")
    if not repos.maintainer_can_modify:
        return PushDecision(False, f"{repos.head_repo} does not allow edits from maintainers")
    return PushDecision(True, f"{repos.head_repo} allows edits from maintainers")


def touches_workflows(paths: Iterable[str]) -> bool:
    """Whether any path is under .github/workflows/, which docbot never commits to (no Workflows permission)."""
    for path in paths:
        # Case-folded: a case-insensitive checkout would land it in the real folder.
        folded = path.lstrip("/").removeprefix("./").casefold()
        if folded == WORKFLOWS or folded.startswith(WORKFLOWS + "/"):
            return True
    return False


def apply_command(branch: str, base_repo: str, server_url: str = "https://github.com") -> str:
    """The command that puts docbot's commit onto the branch checked out in a clone of the fork."""
    url = f"{server_url.rstrip('/')}/{base_repo}.git"
    # Cherry-pick, not merge: the companion branch is one commit on the PR head, and a cherry-pick also
    # applies cleanly when the author has committed more since.
    return f"git fetch {shlex.quote(url)} {shlex.quote(branch)} && git cherry-pick FETCH_HEAD"


def patch_instructions(branch: str, base_repo: str, patch: str, *, can_push: bool = False,
                       server_url: str = "https://github.com", limit: int = PATCH_LIMIT) -> str:
    """The collapsed summary block for a fork PR: the one command, `/docs commit` if allowed, the patch."""
    lines = [
        "<details>",
        f"<summary>Apply the docs to your fork: one command (branch <code>{html.escape(branch)}</code>)</summary>",
        "",
        "In your clone of the fork, on this pull request's branch, run this, then `git push`:",
        "",
        "```sh",
        apply_command(branch, base_repo, server_url),
        "```",
        "",
        f"It fetches docbot's commit from {base_repo} and replays it onto your branch.",
    ]
    if can_push:
        lines += ["", "Or comment `/docs commit` and docbot pushes the commit to your branch itself."]
    shown, cut = _cut(patch, limit)
    ticks = fence(shown)
    lines += ["", "The same change as a patch (`git apply` takes it):", "", f"{ticks}diff", shown.rstrip("\n"), ticks]
    if cut:
        lines += ["", f"Cut after {len(shown):,} of {len(patch):,} characters, so it no longer applies: "
                      "use the command above."]
    return "\n".join([*lines, "", "</details>"])


def _cut(patch: str, limit: int) -> tuple[str, bool]:
    """The patch up to limit characters, at a line end."""
    if len(patch) <= limit:
        return patch, False
    end = patch.rfind("\n", 0, limit)
    return patch[: end + 1 if end >= 0 else limit], True
